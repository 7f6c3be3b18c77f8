"""The ``launch-sim`` command.

Every command reports bad input (unreadable or invalid files, a locked or corrupt store, a
malformed id) as one line on stderr and exit code 2, never a traceback; a launch that
Nova would refuse is not bad input: it prints the EC2 error and exits 1.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import platformdirs

from simulator.api import Simulator
from simulator.auth import SECRET_KEY_ENV, Authenticator, NoAuth, SignatureAuth, secret_keys_given
from simulator.cassette_cli import add_commands, add_serve_options, image_backend, serve_recording
from simulator.contracts import default_registry
from simulator.errors import BadInput, EC2Error, explain
from simulator.seed import apply_seed, load_seed, read_json
from simulator.server import DEFAULT_HOST, DEFAULT_PORT, ServerHandle, serve_until_signalled
from simulator.service import EC2Service
from simulator.store import MappingStore

STORE_ENV = "LAUNCH_SIM_STORE"


def default_store_path() -> Path:
    """``$LAUNCH_SIM_STORE``, else ``store.json`` in the user data dir (created on first use)."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured)
    directory = Path(platformdirs.user_data_dir("launch-sim", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "store.json"


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def cmd_launch(args: argparse.Namespace) -> int:
    request = read_json(args.request, "launch request")
    if not isinstance(request, dict):
        raise BadInput(f"{args.request}: a launch request is a JSON object of run_instances kwargs")
    with _open_simulator(args) as sim:
        try:
            reservation = sim.run_instances(**request)
        except EC2Error as exc:
            calls = [call.to_dict() for call in sim.compute.calls]
            error = {"code": exc.code, "message": exc.message}
            _print_json({"error": error, "create_calls": calls})
            print(f"launch-sim: launch failed: {explain(exc)}", file=sys.stderr)
            return 1
        _print_json(
            {
                "create_call": sim.compute.calls[-1].to_dict(),
                "reservation_id": reservation["reservationId"],
                "instance_ids": [item["instanceId"] for item in reservation["instancesSet"]],
            }
        )
    return 0


def _open_simulator(args: argparse.Namespace) -> Simulator:
    if args.memory:
        return Simulator.from_seed(args.seed)
    return Simulator.open(args.store or default_store_path(), seed=args.seed)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check each file against the schema its shape names (seed, cassette or create call)."""
    registry = default_registry()
    failed = 0
    for path in args.files:
        data = read_json(path, "JSON")
        schema = _schema_for(data)
        violations = registry.validate(schema, data)
        if violations:
            failed += 1
            for violation in violations:
                print(f"{path}: {schema}: {violation}")
        else:
            print(f"{path}: valid {schema}")
    return 2 if failed else 0


def _schema_for(data: Any) -> str:
    if isinstance(data, dict) and data.get("format") == "launch-sim-cassette":
        return "cassette"
    if isinstance(data, dict) and "image_href" in data:
        return "create_call"
    return "seed"


def cmd_store(args: argparse.Namespace) -> int:
    path = args.store or default_store_path()
    with MappingStore.open(path) as store:
        if args.store_command == "export":
            _print_json(store.export())
        else:
            apply_seed(store, load_seed(args.seed_file, default_registry()), str(args.seed_file))
            print(f"{path}: imported {args.seed_file}")
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authenticator(args: argparse.Namespace) -> Authenticator:
    """The auth mode the options ask for; refuses to expose an open endpoint by accident."""
    access_keys: list[str] = args.access_key or []
    if args.auth == "none":
        if access_keys or args.secret_key:
            raise BadInput("--access-key and --secret-key are only used with --auth sigv4")
        if not _is_loopback(args.host) and not args.insecure_no_auth:
            raise BadInput(
                f"--host {args.host} is reachable from other machines and --auth none lets "
                "anyone launch: use --auth sigv4, or --insecure-no-auth if that is intended"
            )
        return NoAuth()
    secret_keys = secret_keys_given(args.secret_key, os.environ)
    if not access_keys or len(access_keys) != len(secret_keys):
        raise BadInput(
            f"--auth sigv4 needs --access-key K --secret-key S pairs (or one --access-key K "
            f"with ${SECRET_KEY_ENV})"
        )
    if not all(access_keys) or not all(secret_keys):
        raise BadInput("an access key or secret key is empty")
    return SignatureAuth(dict(zip(access_keys, secret_keys, strict=True)))


def cmd_serve(args: argparse.Namespace) -> int:
    authenticator = _authenticator(args)
    store_path = args.store or default_store_path()
    backend, glance = image_backend(args)
    with (
        Simulator.open(store_path, seed=args.seed, image_backend=backend) as sim,
        serve_recording(args, sim.store, glance) as make_app,
    ):
        app = make_app(EC2Service(sim), authenticator=authenticator)
        try:
            handle = ServerHandle(app, args.host, args.port)
        except (OSError, ValueError) as exc:
            raise BadInput(f"cannot listen on {args.host}:{args.port}: {exc}") from None
        print(f"launch-sim: EC2 API at {handle.endpoint} (store {store_path})", flush=True)
        print(f"launch-sim: {authenticator.credentials_hint()}", flush=True)
        print("launch-sim: Ctrl-C or SIGTERM stops the server", flush=True)
        serve_until_signalled(handle)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="launch-sim",
        description="Contract-testing simulator of Nova's EC2 RunInstances launch path.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    launch = commands.add_parser("launch", help="run one launch described as JSON kwargs")
    launch.add_argument("request", type=Path, help="JSON object of run_instances kwargs")
    launch.add_argument(
        "--store", type=Path, help=f"store file (default: ${STORE_ENV} or the user data dir)"
    )
    launch.add_argument("--seed", type=Path, help="seed file applied to the store first")
    launch.add_argument("--memory", action="store_true", help="use an in-memory store")
    launch.set_defaults(handler=cmd_launch)

    validate = commands.add_parser("validate", help="check seeds, cassettes, create calls")
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(handler=cmd_validate)

    store = commands.add_parser("store", help="manage a store file")
    store.add_argument("--store", type=Path, help="store file")
    store_commands = store.add_subparsers(dest="store_command", required=True)
    for name in ("import", "add"):
        sub = store_commands.add_parser(name, help="add a seed file's rows to the store")
        sub.add_argument("seed_file", type=Path)
    store_commands.add_parser("export", help="print the store as JSON")
    store.set_defaults(handler=cmd_store)

    serve = commands.add_parser("serve", help="serve the EC2 Query API over HTTP")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s; 0: any free)"
    )
    serve.add_argument(
        "--store", type=Path, help=f"store file (default: ${STORE_ENV} or the user data dir)"
    )
    serve.add_argument("--seed", type=Path, help="seed file applied to the store first")
    serve.add_argument(
        "--auth",
        choices=("none", "sigv4"),
        default="none",
        help="none: accept any signature; sigv4: verify SigV4/SigV2 signatures (default: none)",
    )
    serve.add_argument("--access-key", action="append", help="access key for --auth sigv4")
    serve.add_argument(
        "--secret-key",
        action="append",
        help=f"its secret (repeat in pairs); for one key, ${SECRET_KEY_ENV} keeps it out of ps",
    )
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="allow --auth none on an address other machines can reach",
    )
    add_serve_options(serve)
    serve.set_defaults(handler=cmd_serve)

    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except BadInput as exc:
        print(f"launch-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``launch-sim ... | head``): stop quietly, as shell tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
