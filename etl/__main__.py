"""Command line: python -m etl LỆNH [--db FILE] (one module per command in etl/cli/)."""
import sys

from etl.cli import brief, common, demo, export, extract, history, init, load, registry, template, user

# The order of `python -m etl --help`: set up, the ward's form and its load, what comes out.
COMMANDS = (init, template, load, extract, export, history, user, brief, demo, registry)


def parser() -> common.Parser:
    p = common.Parser(prog="python -m etl",
                      description="Công cụ dữ liệu công tác dân vận (nạp, kiểm tra, xuất).")
    common.add_db_option(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH", title="lệnh")
    for command in COMMANDS:
        sp = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sp)
        sp.set_defaults(run=command.run)
    return p


def main(argv=None) -> int:
    return common.guarded(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
