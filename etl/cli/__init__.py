"""The command line `python -m etl`, one module per command.

Each command module has NAME, HELP (its Vietnamese one-line description), add_arguments(parser)
and run(args) -> exit code: the arguments, the printing (Vietnamese, vi-VN numbers) and the exit
codes. The work stays in the modules the command uses (etl.intake.loader.load_files,
etl.read.export.export_csv, etl.briefing.pack.build_pack, ...). etl/__main__.py assembles the
commands; etl/cli/common.py holds what they share (the --db option and its checks, errors).
A command imports the modules it works with inside run(), so `--help` and a small command do not
load the libraries of the others (the briefing's charts, the loader's workers).
"""
