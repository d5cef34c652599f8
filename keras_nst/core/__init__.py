"""The shared core of keras-nst: what every task (lesson 8's optimisation-based style transfer and
harmonization, lesson 9's feed-forward super-resolution, fast and arbitrary style transfer) builds
on, and nothing task-specific.

``defaults`` -> ``vgg`` (VGG16_Avg, preproc/deproc) / ``weights`` (offline ImageNet weights) ->
``terms`` (the loss contract) -> ``backend`` (d loss / d image), ``optimise`` (the image optimiser)
and ``trainer`` (perceptual training); ``temporal`` (optical flow for steady video) and ``video``
(clips in and out); ``image_io``, ``atomic``, ``errors``, ``plots``, ``lazy`` beneath them all.
"""
