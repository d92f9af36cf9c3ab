"""fmgate: evidence-gated buy / fine-tune / build decisions for foundation models."""

__version__ = "0.1.0"
