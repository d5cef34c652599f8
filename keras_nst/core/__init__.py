"""The shared core of keras-nst: what every task (lesson 8's optimisation-based style transfer,
lesson 9's feed-forward super-resolution and fast style transfer) builds on, and nothing task-specific.

``defaults`` -> ``vgg`` (VGG16_Avg, preproc/deproc) / ``weights`` (offline ImageNet weights) ->
``terms`` (the loss contract) -> ``backend`` (d loss / d image) and ``trainer`` (perceptual
training); ``image_io``, ``atomic``, ``errors``, ``plots`` beneath them all.
"""
