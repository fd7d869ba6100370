"""The measured programs: each runs as `python -m bench.programs.<name> RESULT_FILE` in a fresh
interpreter and imports only what the program it stands for would (this module imports nothing)."""
