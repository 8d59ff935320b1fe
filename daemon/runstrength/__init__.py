"""runstrength: plan short strength sessions around your running."""

__version__ = "0.1.0"
