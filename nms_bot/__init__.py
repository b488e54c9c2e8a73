"""nms-bot: look up how neuroleptic malignant syndrome (NMS) is treated, in Slack or a terminal."""

__version__ = "0.1.0"
