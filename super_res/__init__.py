"""Lesson 9's perceptual-loss super-resolution: x4, trained against VGG16 activations and pixels.

Pipeline: ``prepare`` (photos -> aligned bcolz arrays) -> ``iterator`` (BcolzArrayIterator) ->
``model`` (conv_block, res_block, up_block; ReflectionPadding2D and BicubicUpsampling2D in
``layers``) -> ``loss`` (its terms) -> ``train`` (the shared perceptual trainer) -> ``upscale`` /
``evaluate`` -> ``cli``. Two trained models ship in ``models/``. It uses only the shared core,
``keras_nst.core`` (VGG16, terms, trainer, image i/o), never the style-transfer engine.
"""

from keras_nst.core.registry import register_on_keras_import

register_on_keras_import("super_res.layers")  # the shipped models' layers, known to keras.models.load_model
