"""fangpin (防贫): monitoring and assisting rural households against return to poverty."""

__version__ = "0.1.0"
