"""Lesson 9's perceptual-loss super-resolution (72 -> 288 px). Not built yet: see the super_res issue.

It will share ``keras_nst``'s VGG16 loader and caffe preprocessing rather than copy them.
"""
