"""``python -m backline``."""

from .cli import main_exit

main_exit()
