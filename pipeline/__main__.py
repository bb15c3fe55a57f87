"""`python -m pipeline` and the `sift` command.

The command line is imported inside `main`, not at the top: a worker process the local engine
spawns runs the `sift` script again before its first task (multiprocessing's spawn re-imports the
parent's main module), and at the top the script would import every stage, polars, numba and
typer in each worker, ~1 CPU s apiece, when a worker needs only the code of its tasks."""


def main() -> None:
    from pipeline.cli import app
    from pipeline.engine.quick_exit import freeze_at_exit

    freeze_at_exit()

    app(prog_name="sift")


if __name__ == "__main__":
    main()
