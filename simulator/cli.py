"""The ``launch-sim`` command.

Every command reports bad input (unreadable or invalid files, a locked or corrupt store, a
malformed id) as one line on stderr and exit code 2, never a traceback; a launch that
Nova would refuse is not bad input: it prints the EC2 error and exits 1.
"""

from __future__ import annotations

import argparse
import errno
import io
import ipaddress
import json
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from simulator import __version__
from simulator.api import Simulator, open_store
from simulator.auth import (
    SECRET_KEY_ENV,
    Authenticator,
    NoAuth,
    SignatureAuth,
    access_key_problem,
    query_time_check,
    secret_keys_given,
)
from simulator.cassette.format import (
    Cassette,
    is_cassette_document,
    is_lines,
    read_header,
    stream_interactions,
)
from simulator.cassette_cli import (
    Differences,
    add_commands,
    add_profile_option,
    add_serve_options,
    image_backend,
    recorded_cassette,
    seed_option,
    serve_recording,
    served_profile,
)
from simulator.contracts import DOCUMENT_SCHEMAS, default_registry
from simulator.ec2query import parse_query
from simulator.errors import (
    BadInput,
    EC2Error,
    SeedConflict,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    explain,
)
from simulator.jsonio import read_json
from simulator.profiles import Profile
from simulator.report import printable
from simulator.resources import default_seed_path
from simulator.seed import (
    IMAGE_KEYS,
    SeedSource,
    apply_seed,
    check_seed,
    describe_violations,
    load_seed,
    seed_from_rows,
)
from simulator.serve_defaults import DEFAULT_HOST, DEFAULT_PORT
from simulator.service import EC2Service
from simulator.store import MappingStore
from simulator.store.engine import resolve_store_path

STORE_ENV = "LAUNCH_SIM_STORE"
STORE_COMMANDS = {
    "import": "fill a new or empty store from a seed (refuses a store holding rows)",
    "add": "merge a seed into the store (rows already there must agree)",
    "export": "print every row of the store as a seed (store import reads it back)",
}


def default_store_path() -> Path:
    """``$LAUNCH_SIM_STORE``, else ``store.json`` in the user data dir (created on first use)."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        refusal = _names_a_folder(configured)
        if refusal is not None:
            raise StoreError(f"${STORE_ENV}: {refusal}")
        return Path(configured)
    import platformdirs  # only for the default store: replay and validate open none

    directory = Path(platformdirs.user_data_dir("launch-sim", appauthor=False))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the default store's folder {directory}: {exc.strerror or exc} "
            f"(set ${STORE_ENV} or pass --store)"
        ) from None
    return directory / "store.json"


def _names_a_folder(given: str) -> str | None:
    """Why a store path ending in a slash is refused, or None. ``Path`` drops the slash, so
    ``x.json/`` (a folder, as the user wrote it) would silently create the file ``x.json``."""
    if not given.endswith(("/", os.sep)):
        return None
    return (
        f"{given} ends in a slash, so it names a folder: a store is a file "
        f"(such as {Path(given) / 'store.json'})"
    )


def store_argument(given: str) -> Path:
    """A ``--store`` value as a path; one naming a folder is a usage error."""
    refusal = _names_a_folder(given)
    if refusal is not None:
        raise argparse.ArgumentTypeError(refusal)
    return Path(given)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


STDIN = "-"


def cmd_launch(args: argparse.Namespace) -> int:
    """One launch, printed in one shape whatever happened: the create call Nova made (or
    null), the reservation and instance ids, and the EC2 error (null on success)."""
    from simulator.boto3_params import is_boto3_shape, query_params  # botocore: launch only

    source = Path("/dev/stdin") if str(args.request) == STDIN else args.request
    request = read_json(source, "launch request")
    if not isinstance(request, dict):
        raise BadInput(
            f"{args.request}: a launch request is a JSON object: run_instances kwargs or "
            "boto3's run_instances parameters"
        )
    _refuse_other_documents(request, str(args.request))
    params = query_params(request, str(args.request)) if is_boto3_shape(request) else None
    reservation: dict[str, Any] = {}
    error = None
    with _launching(args) as sim:
        try:
            kwargs = request if params is None else parse_query(params).kwargs
            reservation = sim.run_instances(**kwargs)
        except EC2Error as exc:
            error = {"code": exc.code, "message": exc.message}
            print(printable(f"launch-sim: launch failed: {explain(exc)}"), file=sys.stderr)
        calls = sim.compute.calls
        _print_json(
            {
                "create_call": calls[-1].to_dict() if calls else None,
                "reservation_id": reservation.get("reservationId"),
                "instance_ids": [
                    item["instanceId"] for item in reservation.get("instancesSet", [])
                ],
                "error": error,
            }
        )
    return 0 if error is None else 1


def _refuse_other_documents(request: dict[str, Any], name: str) -> None:
    """A cassette or a seed given as the launch request is the user's mix-up, said as one.

    Launched, either would fail as Nova's ``run_instances`` does without ``image_id``
    (``KeyError``, so ``UnknownError``, exit 1), which reads as Nova refusing a launch. A
    launch request with a mistyped key still gets that answer: it is Nova's.
    """
    if is_cassette_document(request):
        raise BadInput(
            f"{name} is a cassette, not a launch request: replay its requests with "
            f"launch-sim replay {name}"
        )
    if default_registry().claimed_by(request) == "seed":
        raise BadInput(
            f"{name} is a seed, not a launch request: give it as --seed {name}, beside a "
            "launch request"
        )


@contextmanager
def _launching(args: argparse.Namespace) -> Iterator[Simulator]:
    """The simulator for one launch, closed after it.

    A launch's rows are journaled before it returns, so a store that fails to compact as it
    closes has lost nothing: that is a warning beside the launch's result, not a failed launch.
    """
    sim = _open_simulator(args, seed_option(args.seed), profile=args.profile)
    try:
        yield sim
    except BaseException:
        sim.close()
        raise
    try:
        sim.close()
    except StoreError as exc:
        print(printable(f"launch-sim: warning: the launch is stored, but {exc}"), file=sys.stderr)


def _open_simulator(args: argparse.Namespace, seed: SeedSource | None, **options: Any) -> Simulator:
    """The simulator ``--memory`` or ``--store`` names (``launch`` and ``serve`` alike), a
    new store first seeded from ``seed`` (default: the shipped seed). The default store
    (no ``--store``) always starts from the shipped seed, ``seed`` merged into it: the
    design card creates it so, and later commands rely on its rows."""
    if args.memory:
        if args.store is not None:
            raise BadInput("--memory and --store name two stores: give one")
        return Simulator.from_seed(seed, **options)
    default_store = args.store is None
    with _store_advice("give --store PATH or --memory"):
        try:
            return Simulator.open(_store_path(args), seed, default_first=default_store, **options)
        except SeedConflict as exc:
            if not default_store:
                raise
            raise SeedConflict(
                f"{exc} (the default store starts from the shipped seed: give --store PATH or "
                "--memory to start from this seed alone)"
            ) from None


@contextmanager
def _store_advice(alternatives: str) -> Iterator[None]:
    """A locked or corrupt store's line, with what to do about it in the command's own
    flags (``alternatives``): the store names the file and the place, the command knows
    which other store it could be given."""
    try:
        yield
    except StoreLocked as exc:
        raise StoreLocked(f"{exc}; stop that process, or {alternatives}") from None
    except StoreCorrupt as exc:
        raise StoreCorrupt(
            f"{exc}; launch-sim never repairs a store: move it aside, or {alternatives}"
        ) from None


def _store_path(args: argparse.Namespace) -> Path:
    path: Path = args.store or default_store_path()
    return path


def cmd_seed(args: argparse.Namespace) -> int:
    """The shipped default seed, named from any project: its path (for ``--seed`` or a
    ``seed file`` step) or its text (to copy and edit into a project's own seed). It lives
    inside the installed package, so no relative path from a project reaches it."""
    path = default_seed_path()
    if args.show:
        sys.stdout.write(path.read_text(encoding="utf-8"))
    else:
        print(path)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every file, even after a bad one, each against the schema it is meant for
    (an object none of whose keys any schema knows fails as that, not as a seed).

    One line per file on stdout (valid, or its first violation, or why it cannot be read);
    if any failed, one line on stderr and exit code 2.
    """
    registry = default_registry()
    failed = 0
    for path in args.files:
        try:
            if is_lines(path):
                read_header(path, registry)
                deque(stream_interactions(path, registry), maxlen=0)
                print(printable(f"{path}: valid cassette"))
                continue
            data = read_json(path, "JSON")
        except BadInput as exc:
            failed += 1
            print(printable(str(exc)))
            continue
        if isinstance(data, dict) and data and registry.claimed_by(data) is None:
            failed += 1
            print(printable(f"{path}: {_unclaimed(data)}"))
            continue
        schema = registry.schema_for(data)
        violations = registry.validate(schema, data)
        if violations:
            failed += 1
            print(printable(f"{path}: {schema}: {describe_violations(violations)}"))
        else:
            print(printable(f"{path}: valid {schema}"))
    if failed:
        raise BadInput(f"{failed} of {len(args.files)} file(s) failed validation")
    return 0


SHOWN_KEYS = 5


def _unclaimed(data: dict[str, Any]) -> str:
    """Why an object no document schema claims fails validation: checked as a seed, it would
    be told only that its keys are not a seed's, which suggests it was meant to be one."""
    keys = sorted(data)
    shown = ", ".join(map(repr, keys[:SHOWN_KEYS])) + (", ..." if len(keys) > SHOWN_KEYS else "")
    return f"no schema knows its keys ({shown}): expected one of {', '.join(DOCUMENT_SCHEMAS)}"


def cmd_store(args: argparse.Namespace) -> int:
    """``export`` prints the store as a seed; ``import`` fills a new or empty store from a
    seed, ``add`` merges one into a store that may hold rows already. The seed may be a
    cassette, standing for the store rows it recorded, as with ``--seed``.

    The seed is read and checked before the store is opened, so bad input creates nothing;
    the default store (no ``--store``) is created from the shipped seed like any command's.
    """
    path = args.store or default_store_path()
    importing = args.store_command == "import"
    exporting = args.store_command == "export"
    if exporting and args.store is not None and not resolve_store_path(path).exists():
        raise BadInput(f"no store at {path}: nothing to export")
    source = None if exporting else seed_option(args.seed_file)
    seed = None if source is None else load_seed(source, default_registry())
    if seed is not None:
        check_seed(seed, str(args.seed_file))
    with _store_advice("give --store PATH"):
        opened = open_store(path, seed_if_empty=args.store is None)
    with opened as store:
        if seed is None:
            _print_json(export_seed(store))
            return 0
        if importing and not store.is_empty():
            default = "" if args.store else " (the default store starts from the shipped seed)"
            raise BadInput(
                f"store {path} already holds rows{default}: store import fills only a new or "
                "empty store (store add merges a seed into it; --store names a new file)"
            )
        apply_seed(store, seed, str(args.seed_file))
    print(printable(f"{path}: {'imported' if importing else 'added'} {args.seed_file}"))
    return 0


def export_seed(store: MappingStore) -> dict[str, Any]:
    """Every row of ``store`` as a seed that ``store import`` turns back into the same store.

    The seed is written as a cassette's is (:func:`seed_from_rows`), then checked: against
    the seed schema, and by applying it to an empty store and comparing every row. A row a
    seed cannot carry (say an image key the schema does not know) is refused, not dropped.
    """
    rows = store.rows()
    where = f"store {store.path} cannot be exported as a seed"
    for image in rows.images:
        extra = sorted(image.keys() - {"id", *IMAGE_KEYS})
        if extra:
            raise BadInput(f"{where}: image {image['id']} has keys a seed cannot hold: {extra}")
    seed = seed_from_rows(rows)
    violations = default_registry().validate("seed", seed)
    if violations:
        raise BadInput(f"{where}: {describe_violations(violations)}")
    copy = MappingStore.in_memory()
    apply_seed(copy, seed, where)
    if copy.rows() != rows:
        raise BadInput(f"{where}: importing it would not give back the same rows")
    return seed


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authenticator(args: argparse.Namespace, profile: Profile) -> Authenticator:
    """The auth mode the options ask for, with the query time rule of ``profile``'s release;
    refuses to expose an open endpoint by accident."""
    query_time = query_time_check(profile)
    access_keys: list[str] = args.access_key or []
    if args.auth == "none":
        if access_keys or args.secret_key:
            raise BadInput("--access-key and --secret-key are only used with --auth sigv4")
        if not _is_loopback(args.host) and not args.insecure_no_auth:
            raise BadInput(
                f"--host {args.host} is reachable from other machines and --auth none lets "
                "anyone launch: use --auth sigv4, or --insecure-no-auth if that is intended"
            )
        return NoAuth(query_time=query_time)
    secret_keys = secret_keys_given(args.secret_key, os.environ)
    if not access_keys or len(access_keys) != len(secret_keys):
        raise BadInput(
            f"--auth sigv4 needs --access-key K --secret-key S pairs (or one --access-key K "
            f"with ${SECRET_KEY_ENV})"
        )
    if not all(access_keys) or not all(secret_keys):
        raise BadInput("an access key or secret key is empty")
    for key in access_keys:
        problem = access_key_problem(key)
        if problem:
            raise BadInput(problem)
    return SignatureAuth(dict(zip(access_keys, secret_keys, strict=True)), query_time=query_time)


SERVE_KEPT_CALLS = 1000
"""How many compute calls a long-running ``serve`` keeps in ``sim.compute.calls``: the
recorder takes each request's calls as they are made, so older ones only cost memory (a
server answering for days would otherwise keep every call it ever recorded)."""


def cmd_serve(args: argparse.Namespace) -> int:
    with recorded_cassette(args) as recorded:
        return _serve(args, recorded)


def _serve(args: argparse.Namespace, recorded: Cassette | None) -> int:
    """``serve`` once its cassette is read (and, if it may write it, locked). The server
    (waitress with it) is imported here: no other command runs one."""
    from simulator.server import ServerHandle, serve_until_signalled

    profile = served_profile(args, recorded)
    authenticator = _authenticator(args, profile)
    backend, glance = image_backend(args)
    with (
        _open_simulator(
            args,
            seed_option(args.seed, args.image_service),
            profile=profile,
            image_backend=backend,
            admin=not args.non_admin,
            keep_calls=SERVE_KEPT_CALLS,
        ) as sim,
        serve_recording(args, sim, glance, recorded) as make_app,
    ):
        app = make_app(EC2Service(sim), authenticator=authenticator)
        try:
            handle = ServerHandle(app, args.host, args.port)
        except (OSError, ValueError) as exc:
            raise _cannot_listen(args, exc) from None
        store = "in memory" if args.memory else f"store {_store_path(args)}"
        print(f"launch-sim: EC2 API at {handle.endpoint} ({store})", flush=True)
        profile = sim.profile
        print(
            f"launch-sim: answering as Nova {profile.series} {profile.release} "
            f"(profile {profile.name})",
            flush=True,
        )
        print(f"launch-sim: {authenticator.credentials_hint()}", flush=True)
        print("launch-sim: Ctrl-C or SIGTERM stops the server", flush=True)
        with access_log_on_stderr(args.quiet):
            serve_until_signalled(handle)
    return 0


def _cannot_listen(args: argparse.Namespace, exc: OSError | ValueError) -> BadInput:
    """Why ``serve`` cannot listen, on one line: the system's reason alone (``create_server``
    appends the address to it, which the line names already), and for a port in use, what
    to give instead."""
    reason = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else exc.strerror
    in_use = isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE
    remedy = "; give another --port, or --port 0 for a free one" if in_use else ""
    return BadInput(f"cannot listen on {args.host}:{args.port}: {reason}{remedy}")


@contextmanager
def access_log_on_stderr(quiet: bool) -> Iterator[None]:
    """``serve``'s access log on stderr, one line per request, UTC time first; none if quiet."""
    if quiet:
        yield
        return
    from simulator.server import ACCESS_LOG

    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("launch-sim: %(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger = logging.getLogger(ACCESS_LOG)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


HELP_PROG = "help_prog"
"""The parsed arguments' name for the command they were given to (``launch-sim store
export``), whose ``--help`` a usage error found after parsing points to."""


def usage_error(prog: str, message: str) -> NoReturn:
    """Exit 2 with a usage error of command ``prog`` on one line, pointing to its help."""
    reason = " ".join(message.split())
    sys.stderr.write(f"{prog}: error: {reason} (see {prog} --help)\n")
    raise SystemExit(2)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other bad input.

    argparse prints the whole usage block before the error; here it is the error and a
    pointer to ``--help``. Subcommand parsers inherit the class (``add_subparsers`` uses
    the parent's), so every level answers alike. Each sets :data:`HELP_PROG` to its own
    name: a subcommand's defaults are applied over its parent's, so the parsed arguments
    name the innermost command given, for :func:`parse_arguments`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_defaults(**{HELP_PROG: self.prog})

    def error(self, message: str) -> NoReturn:
        usage_error(self.prog, message)


def parse_arguments(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace:
    """``parser.parse_args(argv)``, but arguments left over are a usage error of the
    subcommand they were given to, pointing to its ``--help``: argparse reports them from
    the top-level parser, which pointed to ``launch-sim --help``."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        prog = getattr(args, HELP_PROG, parser.prog)
        usage_error(prog, f"unrecognized arguments: {' '.join(extras)}")
    return args


def _add_store_options(
    parser: argparse.ArgumentParser, *, seed: bool = True, memory: bool = False, default: Any = None
) -> None:
    """``--store`` (and ``--seed``, ``--memory``) as every store-using command spells them.

    ``default=argparse.SUPPRESS`` lets a nested subcommand repeat ``--store`` without its
    default overwriting the value given before the subcommand.
    """
    parser.add_argument(
        "--store",
        type=store_argument,
        default=default,
        metavar="PATH",
        help=f"store file (default: ${STORE_ENV} or the user data dir)",
    )
    if seed:
        parser.add_argument(
            "--seed",
            type=Path,
            metavar="FILE",
            help="seed file applied to the store first (a new --store starts from it instead "
            "of the shipped seed; the default store always starts from the shipped seed and "
            "merges it); a cassette stands for the store rows it recorded",
        )
    if memory:
        parser.add_argument(
            "--memory",
            action="store_true",
            help="use an in-memory store, seeded afresh and gone when the command ends",
        )


def build_parser() -> argparse.ArgumentParser:
    # Typed as the base class: add_commands takes the subparsers of any ArgumentParser.
    parser: argparse.ArgumentParser = OneLineParser(
        prog="launch-sim",
        description="Contract-testing simulator of Nova's EC2 RunInstances launch path.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    launch = commands.add_parser("launch", help="run one launch described as JSON")
    launch.add_argument(
        "request",
        type=Path,
        metavar=f"REQUEST|{STDIN}",
        help="JSON file of run_instances kwargs or boto3 run_instances parameters "
        f"({STDIN}: read it from stdin)",
    )
    _add_store_options(launch, memory=True)
    add_profile_option(launch, "launch as this release (default: grizzly)")
    launch.set_defaults(handler=cmd_launch)

    validate = commands.add_parser(
        "validate", help="check seeds, cassettes, create calls, launch requests"
    )
    validate.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="JSON file, checked against the schema most of its keys belong to",
    )
    validate.set_defaults(handler=cmd_validate)

    store = commands.add_parser("store", help="manage a store file")
    _add_store_options(store, seed=False)
    store_commands = store.add_subparsers(dest="store_command", required=True, metavar="COMMAND")
    for name, summary in STORE_COMMANDS.items():
        sub = store_commands.add_parser(name, help=summary)
        if name != "export":
            sub.add_argument(
                "seed_file",
                type=Path,
                metavar="SEED",
                help="a seed file, or a cassette (the store rows it recorded)",
            )
        _add_store_options(sub, seed=False, default=argparse.SUPPRESS)
    store.set_defaults(handler=cmd_store)

    seed = commands.add_parser("seed", help="print the shipped default seed's path or text")
    shown = seed.add_mutually_exclusive_group(required=True)
    shown.add_argument("--path", action="store_true", help="print the path of its file")
    shown.add_argument("--show", action="store_true", help="print the seed itself (JSON)")
    seed.set_defaults(handler=cmd_seed)

    serve = commands.add_parser("serve", help="serve the EC2 Query API over HTTP")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        metavar="ADDRESS",
        help="address to bind (default: %(default)s)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="PORT",
        help="port (default: %(default)s; 0: any free)",
    )
    _add_store_options(serve, memory=True)
    serve.add_argument(
        "--auth",
        choices=("none", "sigv4"),
        default="none",
        help="none: accept any signature; sigv4: verify SigV4/SigV2 signatures (default: none)",
    )
    serve.add_argument(
        "--access-key", action="append", metavar="K", help="access key for --auth sigv4"
    )
    serve.add_argument(
        "--secret-key",
        action="append",
        metavar="S",
        help=f"its secret (repeat in pairs); for one key, ${SECRET_KEY_ENV} keeps it out of ps",
    )
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="allow --auth none on an address other machines can reach",
    )
    serve.add_argument(
        "--quiet",
        action="store_true",
        help="no access-log line per request on stderr (time, action, status, code, ms)",
    )
    serve.add_argument(
        "--non-admin",
        action="store_true",
        help="answer every request as a plain user of its project, as a real cloud's users "
        "are, instead of NoAuth's admin (own instances only, undecorated keyName)",
    )
    add_serve_options(serve)
    add_profile_option(
        serve,
        "answer as this release, and record it in cassettes (default: the one the cassette "
        "--record checks was recorded under, else grizzly)",
    )
    serve.set_defaults(handler=cmd_serve)

    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(build_parser(), argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    if sys.stdout is None:
        print("launch-sim: error: the standard output is closed", file=sys.stderr)
        return 2
    for stream in (sys.stdout, sys.stderr):
        # A file name that is no UTF-8 (``c\xff.json``) is shown escaped, not a traceback.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        return handler(args)
    except BadInput as exc:
        # One line whatever a file name holds (a line break, an escape sequence).
        print(printable(f"launch-sim: error: {exc}"), file=sys.stderr)
        return 2
    except Differences:
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``launch-sim ... | head``): stop quietly, as shell tools do.
        _discard_output()
        return 141
    except OSError as exc:
        # What the system refused that no command names: mostly writing the output (a full disk).
        _discard_output()
        where = f"{exc.filename}" if exc.filename else "cannot write the output"
        print(printable(f"launch-sim: error: {where}: {exc.strerror or exc}"), file=sys.stderr)
        return 2


def _discard_output() -> None:
    """Point the standard output at the null device, so that what is left buffered does not
    fail again when the interpreter flushes it at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
