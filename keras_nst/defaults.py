"""The lessons' defaults, importable without Keras (the CLI's help and checks use them)."""

STYLE_LAYERS = tuple(f"block{i}_conv2" for i in range(1, 6))
STYLE_WEIGHTS = (0.05, 0.2, 0.2, 0.25, 0.3)  # lesson 9: more weight on the deeper, larger-scale layers
CONTENT_LAYER = "block4_conv2"  # style transfer
CONTENT_RECON_LAYER = "block5_conv1"  # lesson 8's content reconstruction
CONTENT_WEIGHT = 1.0  # lesson 9 divided by 10 under its own loss normalisation; 1.0 gives its balance here
