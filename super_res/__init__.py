"""Lesson 9's perceptual-loss super-resolution: 72 -> 288 px, trained against VGG16 activations.

Pipeline: ``prepare`` (photos -> aligned bcolz arrays) -> ``iterator`` (BcolzArrayIterator) ->
``model`` (conv_block, res_block, up_block; ReflectionPadding2D in ``layers``) -> ``loss``
(perceptual loss on keras_nst's VGG16) -> ``train`` -> ``upscale`` / ``evaluate`` -> ``cli``.
It shares keras_nst's VGG16 loader, preprocessing and image I/O rather than copying them.
"""
