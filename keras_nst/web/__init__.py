"""Lesson 9's web app: "upload any style image and any content image, here's your artistic style
version" (Gatys), "upload any image and I will give you that image in the style of Van Gogh's irises"
(fast style), and the super-resolution half beside them. ``python -m keras_nst serve``; the app is
``app.build()``, a Gradio ``Blocks``."""
