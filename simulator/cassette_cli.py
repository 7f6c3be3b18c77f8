"""The cassette half of ``launch-sim``: replay, matrix, verify, scaffold, serve --record.

:mod:`simulator.cli` owns the command line; the cassette commands and the recording options
of ``serve`` live here so the two halves can change without stepping on each other. Exit
codes follow the CLI's rule: 0 all matched, 1 a difference, 2 bad input (one line).

``--profile NAME`` (here for replay and verify, and for launch and serve through
:func:`add_profile_option`) picks the Nova release the simulator answers as; ``matrix``
replays every interaction under several, which answers "which releases accept this launch
conversation".

``--shard K/N`` keeps the K-th of N parts of the cassette files named (so N CI runners cover
a corpus once), and ``replay -j N`` and ``matrix -j N`` replay cassettes in N processes.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.api import Simulator
from simulator.auth import SECRET_KEY_ENV, access_key_problem, secret_keys_given
from simulator.cassette import (
    DEFAULT,
    SERVE_DEFAULT,
    Cassette,
    ImageService,
    RecordMode,
    gc_frozen,
    gc_paused,
    load_cassette,
    recorded_under_lock,
    replay_cassette,
)
from simulator.cassette.format import (
    LINES_SUFFIX,
    is_lines,
    read_header,
    stream_document,
    stream_interactions,
)
from simulator.cassette.glance_exchanges import GlanceRecording
from simulator.cassette.recording_lock import lock_path, recording_lock
from simulator.contracts import default_registry
from simulator.errors import BadInput
from simulator.glance import DEFAULT_TIMEOUT, GlanceImageBackend
from simulator.jsonio import NotStreamable, read_json, refuse_to_replace, refuse_unwritable
from simulator.profiles import KNOWN_PROFILES, PROFILES, Profile, get_profile
from simulator.progress import progress
from simulator.report import CassetteResult, printable, render
from simulator.seed import SeedSource
from simulator.verify import DEFAULT_REGION, Provider, SigningKeys, verify_cassette
from simulator.verify import DEFAULT_TIMEOUT as VERIFY_TIMEOUT

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from simulator.server import EC2App

FORMATS = ("text", "json", "junit", "html")
MODES = tuple(mode.value for mode in RecordMode)


def seconds(text: str) -> float:
    """A timeout option's value: a finite number above zero.

    ``float`` accepts 0, negatives, ``nan`` and ``inf``, which urllib3 refuses only inside
    each request (ValueError, OverflowError): a crash in ``verify``, an UnknownError for
    every launch in ``serve``. Refused at parse time, the mistake is one usage line.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds above 0")
    return value


def profile_name(text: str) -> str:
    """A ``--profile`` value: one of the known profiles (else a usage line listing them)."""
    try:
        return get_profile(text).name
    except BadInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def profile_names(text: str) -> tuple[str, ...]:
    """A ``--profiles`` value: known profiles separated by commas, each once, in order."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",")))
    if not all(names):
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of profiles")
    return tuple(profile_name(name) for name in names)


def add_profile_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--profile NAME`` as every command spells it; ``what`` says what it does there."""
    parser.add_argument(
        "--profile", type=profile_name, metavar="NAME", help=f"{what} ({KNOWN_PROFILES})"
    )


@dataclass(frozen=True)
class Shard:
    """Part ``number`` of ``count`` of a corpus (``--shard K/N``).

    It keeps every N-th file of :func:`cassette_paths`' list from the K-th on: the list is
    the same on every runner given the same arguments (folders are read sorted), so the N
    parts hold every cassette exactly once whatever machine runs which part.
    """

    number: int = 1
    count: int = 1

    def pick(self, paths: Sequence[Path]) -> list[Path]:
        return list(paths[self.number - 1 :: self.count])


def shard(text: str) -> Shard:
    """A ``--shard`` value: ``K/N``, whole numbers with 1 <= K <= N."""
    number, slash, count = text.partition("/")
    if slash and number.isdecimal() and count.isdecimal() and 1 <= int(number) <= int(count):
        return Shard(int(number), int(count))
    raise argparse.ArgumentTypeError(f"{text!r} is not K/N with 1 <= K <= N, e.g. 2/4")


def jobs(text: str) -> int:
    """A ``-j`` value: a number of processes above 0, or ``auto`` (the CPUs this process
    may run on, which a container or ``taskset`` can make fewer than the machine's)."""
    if text == "auto":
        return (
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1
        )
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes above 0 or auto")
    return int(text)


def cassette_paths(arguments: Sequence[Path]) -> list[Path]:
    """Files as given, folders as the ``*.json`` and ``*.jsonl`` files below them (sorted),
    each once."""
    found: dict[Path, None] = {}
    for argument in arguments:
        if argument.is_dir():
            inside = sorted(
                path for path in argument.rglob("*.json*") if path.suffix in (".json", LINES_SUFFIX)
            )
            if not inside:
                raise BadInput(f"{argument}: no cassettes (*.json, *.jsonl) in this folder")
            found.update(dict.fromkeys(inside))
        elif argument.exists():
            found[argument] = None
        else:
            raise BadInput(f"{argument}: no such cassette file or folder")
    return list(found)


def seed_option(path: Path | None, image_service: str | None = None) -> SeedSource | None:
    """A ``--seed`` file: a seed, or a cassette standing for the store rows it recorded.

    Serving a cassette's rows is the provider state of a Pact verification: the state
    ``verify`` needs the endpoint in, in one flag instead of a script extracting the seed.
    A Glance cassette's seed holds no images (they were Glance's answers), so it is only
    usable with ``--image-service``.
    """
    if path is None:
        return None
    if is_lines(path):
        cassette = read_header(path)
    elif default_registry().schema_for(read_json(path, "seed")) != "cassette":
        return path
    else:
        cassette = load_cassette(path)
    if cassette.image_service.kind == "glance" and image_service is None:
        raise BadInput(
            f"{path}: a cassette recorded against Glance holds no images, only their s3 ids: "
            "use it as a seed of serve --image-service URL"
        )
    return cassette.seed


def _selected(args: argparse.Namespace) -> list[Path]:
    """The cassette files the arguments name, this ``--shard``'s part of them."""
    chosen: Shard = args.shard
    return chosen.pick(cassette_paths(args.paths))


def _streamed(path: Path, streaming: bool) -> bool:
    """Whether a cassette is used as it is read: a JSON Lines one, when ``streaming`` (a
    replay that does not re-record: re-recording rewrites the whole file, so holds it)."""
    return streaming and is_lines(path)


def _load(path: Path, streaming: bool) -> Cassette:
    """A cassette read and checked. A streamed cassette's header only is read here; its
    interactions are checked as replay reads them, so a bad line stops the run there."""
    return read_header(path) if _streamed(path, streaming) else load_cassette(path)


def _load_all(paths: Sequence[Path]) -> list[tuple[Path, Cassette]]:
    """Every cassette read whole and checked before any is used: bad input stops everything."""
    return [(path, load_cassette(path)) for path in paths]


@contextmanager
def _loaded_for_replay(path: Path, streaming: bool) -> Iterator[Cassette]:
    """The cassette read and checked with the collector paused, then frozen out of its way
    until the block ends: frozen before it resumes, so its first collection does not walk
    everything just read (see :func:`gc_paused`, :func:`gc_frozen`)."""
    with ExitStack() as stack:
        with gc_paused():
            cassette = _load(path, streaming)
            stack.enter_context(gc_frozen())
        yield cassette


def _interactions(cassettes: Sequence[tuple[Path, Cassette]]) -> int:
    """The units of a progress bar over cassettes: their interactions, not the files."""
    return sum(len(cassette.interactions) for _, cassette in cassettes)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        raise BadInput(f"cannot write --output {output}: {exc.strerror}") from None


def _check_output(output: Path | None, inputs: Sequence[Path]) -> None:
    """Refuse an ``--output`` that is an input under any name: a symlink, another path, or a
    hard link, which only the file's identity (device and inode) gives away."""
    try:
        written = output.stat() if output is not None else None
    except OSError:
        return
    if written is not None and any(os.path.samestat(written, path.stat()) for path in inputs):
        raise BadInput(
            f"--output {output} is one of the cassettes being read; refusing to overwrite it"
        )


Profiles = tuple[str | None, ...]
"""The profiles a cassette is replayed under (None: the one it was recorded under)."""


@dataclass
class Replayed:
    """One cassette replayed under each profile asked for: the results, and with
    ``--record-mode all`` the cassette re-recorded where they differ (None if nothing does)."""

    results: list[CassetteResult]
    updated: Cassette | None = None


LISTING_FORMATS = ("junit", "html")
"""Report formats that name every interaction, passing or not: a replay keeps each one's
result for them, so their memory (and the report) grows with the cassette; the text and
JSON reports name only the differing ones, and the others are counted."""


def _replay_loaded(
    path: Path, cassette: Cassette, profiles: Profiles, rerecord: bool, fmt: str, table: bool
) -> Replayed:
    """``cassette`` (its header only, if streamed) replayed under each profile; a streamed
    cassette is read again for each. Only differing results are kept (the others counted)
    unless something shows them all: re-recording, a ``fmt`` that lists every interaction,
    or the matrix ``table`` of a cassette held whole (one row per interaction)."""
    done = Replayed([])
    streamed = _streamed(path, not rerecord)
    for profile in profiles:
        replay = replay_cassette(
            cassette,
            str(path),
            profile,
            stream_interactions(path) if streamed else None,
            keep=rerecord or fmt in LISTING_FORMATS or (table and not streamed),
        )
        done.results.append(replay.result)
        if rerecord:
            done.updated = replay.rerecorded(cassette)
    return done


def _replay_file(path: Path, profiles: Profiles, rerecord: bool, fmt: str, table: bool) -> Replayed:
    """One cassette read, checked and replayed: each step of a serial run, each task of a
    worker (a BadInput it raises there reaches the parent, which raises the first in input
    order, as a serial run stops at it).

    A ``.json`` cassette is first replayed as it is read (:func:`_replay_document_streamed`);
    one that cannot be, or turns out not to be, is read whole and replayed from the start.
    The matrix table and re-recording hold the whole cassette anyway.
    """
    if not (rerecord or table or is_lines(path)):
        try:
            return _replay_document_streamed(path, profiles, fmt)
        except NotStreamable:
            pass
    with _loaded_for_replay(path, not rerecord) as cassette:
        return _replay_loaded(path, cassette, profiles, rerecord, fmt, table)


def _replay_document_streamed(path: Path, profiles: Profiles, fmt: str) -> Replayed:
    """A ``.json`` cassette replayed under each profile, each interaction parsed just before
    it is replayed (:func:`~simulator.cassette.format.stream_document`): a tenth faster than
    parsing the file first, for the same work. Any problem with the file raises
    NotStreamable, and whatever was replayed is set aside."""
    done = Replayed([])
    for profile in profiles:
        header, interactions = stream_document(path)
        with gc_frozen():
            replay = replay_cassette(
                header, str(path), profile, interactions, keep=fmt in LISTING_FORMATS
            )
        done.results.append(replay.result)
    return done


def _replay_all(
    paths: Sequence[Path],
    profiles: Profiles,
    rerecord: bool,
    processes: int,
    fmt: str,
    table: bool = False,
) -> list[Replayed]:
    """Every cassette replayed under every profile, in input order, by ``processes`` processes.

    Each cassette is read, checked and replayed in turn, then let go: memory holds one
    cassette per process, not the corpus (50 files of 1,000 launches took 560 MB read all
    at once, 61 MB in turn). Several processes split the files between forked workers
    (reading and checking is a sixth of the work, so it is shared too); the results come
    back in input order, so the report and exit code are those of a serial run. Bad input
    stops everything either way: the first bad file in input order is the error, and no
    report is written. Nothing is written while files remain to be read: re-recorded
    cassettes are saved by the caller. The bar counts cassettes.
    """
    processes = min(processes, len(paths))
    if processes <= 1:
        done = []
        with progress("replaying cassettes", len(paths), fmt) as advance:
            for path in paths:
                done.append(_replay_file(path, profiles, rerecord, fmt, table))
                advance(1)
        return done
    # Imported only here: a serial replay never needs them, and importing them was 4% of
    # its start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Fork where the platform has it: workers start in milliseconds with everything imported.
    # They are forked at the first submit, before the bar's drawing thread starts.
    forks = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forks else None)
    # Largest files first, so a long cassette at the end of the list does not leave every
    # other worker idle while one replays it.
    largest_first = sorted(paths, key=lambda path: path.stat().st_size, reverse=True)
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        try:
            futures = {
                path: pool.submit(_replay_file, path, profiles, rerecord, fmt, table)
                for path in largest_first
            }
        except OSError as exc:
            _stop_workers(pool)
            raise BadInput(
                f"cannot start {processes} worker processes ({exc.strerror or exc}); "
                "ask for fewer with -j"
            ) from None
        with progress("replaying cassettes", len(paths), fmt) as advance:
            for _ in as_completed(futures.values()):
                advance(1)
        return [futures[path].result() for path in paths]


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool some of whose workers could not be forked (the system's process limit):
    those started wait for work that will never come, and the interpreter would wait for
    them at exit."""
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
        child.join()


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay cassettes offline; ``--record-mode all`` re-records the interactions that differ."""
    paths = _selected(args)
    _check_output(args.output, paths)
    rerecord = RecordMode(args.record_mode).rules.rerecords_on_replay
    replayed = _replay_all(paths, (args.profile,), rerecord, args.jobs, args.format)
    results = [result for done in replayed for result in done.results]
    updated = [
        (path, done.updated, len(done.results[0].failures))
        for path, done in zip(paths, replayed, strict=True)
        if done.updated is not None
    ]
    with ExitStack() as locks:
        # A cassette a recorder is writing would lose what either saved: every lock is
        # taken, or the command refused, before any cassette is written.
        for path, _, _ in updated:
            locks.enter_context(recording_lock(path))
        for path, cassette, count in updated:
            cassette.save(path)
            _warn(f"re-recorded {count} interaction(s) of {path}")
    _emit(render(results, args.format, "replayed", "launch-sim replay"), args.output)
    return 1 if any(result.failures for result in results) and not rerecord else 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Send cassettes' requests to a live endpoint and report where its answers differ."""
    secrets = secret_keys_given([args.secret_key] if args.secret_key else None, os.environ)
    if args.secret_key and not args.access_key:
        raise BadInput("--secret-key needs --access-key K")
    if args.access_key and not secrets:
        raise BadInput(f"--access-key needs --secret-key S or ${SECRET_KEY_ENV}")
    problem = access_key_problem(args.access_key) if args.access_key is not None else None
    if problem:
        raise BadInput(f"--access-key: {problem}")
    keys = SigningKeys(args.access_key, secrets[0], args.region) if args.access_key else None
    provider = Provider(args.endpoint, keys, args.timeout)
    cassettes = _load_all(_selected(args))
    _check_output(args.output, [path for path, _ in cassettes])
    results = []
    with progress("verifying", _interactions(cassettes), args.format) as advance:
        for path, cassette in cassettes:
            result = verify_cassette(cassette, str(path), provider)
            advance(len(cassette.interactions))
            results.append(
                replace(result, profile=args.profile, recorded_under=cassette.recorded_under.name)
            )
    _emit(render(results, args.format, "endpoint", "launch-sim verify"), args.output)
    return 1 if any(result.failures for result in results) else 0


def cmd_matrix(args: argparse.Namespace) -> int:
    """Replay every cassette under every profile asked for: exit 0 when each interaction
    gives its recorded answer under all of them, else 1 (the table shows where not)."""
    paths = _selected(args)
    _check_output(args.output, paths)
    replayed = _replay_all(paths, args.profiles, False, args.jobs, args.format, table=True)
    results = [result for done in replayed for result in done.results]
    _emit(render(results, args.format, "replayed", "launch-sim matrix", table=True), args.output)
    return 1 if any(result.failures for result in results) else 0


def cmd_scaffold(args: argparse.Namespace) -> int:
    """Print a Gherkin feature re-creating a cassette's interactions. The scaffolder (and
    the step table parser and difflib it needs) is imported here: no other command uses it."""
    from simulator.scaffold import SCAFFOLD_LIMIT, scaffold

    cassette = load_cassette(args.cassette, at_most=SCAFFOLD_LIMIT)
    sys.stdout.write(scaffold(cassette, str(args.cassette)))
    return 0


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="cassette files, or folders of them"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: %(default)s)"
    )
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the report here instead of stdout"
    )
    parser.add_argument(
        "--shard",
        type=shard,
        default=Shard(),
        metavar="K/N",
        help="only the K-th of N parts of the cassette files (N CI runners cover them once)",
    )


def _add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-j",
        "--jobs",
        type=jobs,
        default=1,
        metavar="N",
        help="replay cassettes in N processes, or auto: one per CPU (default: 1); "
        "the report is the same",
    )


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``replay``, ``verify`` and ``scaffold``."""
    replay = commands.add_parser("replay", help="replay cassettes offline and diff the results")
    _add_report_options(replay)
    replay.add_argument(
        "--record-mode",
        choices=MODES,
        default=DEFAULT.value,
        help="none/once/new_episodes: compare only, never write (default); "
        "all: re-record the interactions that differ",
    )
    add_profile_option(replay, "replay as this release (default: the cassette's profile)")
    _add_jobs_option(replay)
    replay.set_defaults(handler=cmd_replay)

    matrix = commands.add_parser(
        "matrix", help="replay cassettes under every profile and table where answers differ"
    )
    _add_report_options(matrix)
    matrix.add_argument(
        "--profiles",
        type=profile_names,
        default=tuple(PROFILES),
        metavar="A,B",
        help=f"the profiles to replay under (default: all of {KNOWN_PROFILES})",
    )
    _add_jobs_option(matrix)
    matrix.set_defaults(handler=cmd_matrix)

    verify = commands.add_parser("verify", help="send cassettes' requests to a live endpoint")
    _add_report_options(verify)
    verify.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the EC2 API URL, e.g. http://127.0.0.1:8773/",
    )
    verify.add_argument("--access-key", metavar="K", help="SigV4-sign requests with this key")
    verify.add_argument(
        "--secret-key", metavar="S", help=f"and this secret (or ${SECRET_KEY_ENV}, kept out of ps)"
    )
    verify.add_argument(
        "--region",
        default=DEFAULT_REGION,
        metavar="REGION",
        help="SigV4 region (default: %(default)s)",
    )
    verify.add_argument(
        "--timeout",
        type=seconds,
        default=VERIFY_TIMEOUT,
        metavar="SECONDS",
        help="seconds to wait for each answer (default: %(default)s)",
    )
    add_profile_option(
        verify,
        "the release the endpoint is expected to behave like, named in the report "
        "(recorded answers are compared as they are)",
    )
    verify.set_defaults(handler=cmd_verify)

    scaffold = commands.add_parser("scaffold", help="print a Gherkin feature for a cassette")
    scaffold.add_argument("cassette", type=Path, metavar="CASSETTE", help="a cassette file")
    scaffold.set_defaults(handler=cmd_scaffold)


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """``--record``, ``--record-mode``, ``--redact`` and ``--image-service`` for ``serve``."""
    serve.add_argument(
        "--record", type=Path, metavar="CASSETTE", help="record every request into this cassette"
    )
    serve.add_argument(
        "--record-mode",
        choices=MODES,
        default=SERVE_DEFAULT.value,
        help="once: record a new cassette, check an existing one (default); new_episodes: "
        "also record requests it lacks; all: record afresh; none: check only. Checking, a "
        "request the cassette lacks gets CannotOverwriteExistingCassette and serve exits 1",
    )
    serve.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="PARAM",
        help="record this parameter's value as REDACTED (repeatable)",
    )
    serve.add_argument(
        "--image-service",
        metavar="URL",
        help="use Glance v2 at this URL instead of the store's images",
    )
    serve.add_argument(
        "--image-service-timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="Glance request timeout (default: %(default)s)",
    )


def image_backend(
    args: argparse.Namespace,
) -> tuple[GlanceImageBackend | None, GlanceRecording | None]:
    """The Glance backend ``--image-service`` asks for, recording if ``--record`` is on."""
    if not args.image_service:
        return None, None
    recording = GlanceRecording() if args.record else None
    backend = GlanceImageBackend(
        args.image_service, timeout=args.image_service_timeout, on_exchange=recording
    )
    return backend, recording


def _warn(message: str) -> None:
    print(printable(f"launch-sim: {message}"), file=sys.stderr, flush=True)


class Differences(Exception):
    """A checking server saw requests differ from its cassette or miss it: ``serve`` exits
    1 when it stops, as ``replay`` does for a difference (its report is printed already)."""


AppFactory = Callable[..., "EC2App"]


@contextmanager
def recorded_cassette(args: argparse.Namespace) -> Iterator[Cassette | None]:
    """``serve``'s recording options, checked before the store is opened (bad input creates
    nothing): the cassette to check requests against, None to record from scratch (or not
    to record). In every mode the cassette must be a new path or a regular file; a mode
    that may write it holds its lock for the block (another recorder: bad input). A
    ``--non-admin`` server cannot record: the cassette keeps no requester to replay as."""
    if args.record is None:
        if args.redact or args.record_mode != SERVE_DEFAULT.value:
            raise BadInput("--redact and --record-mode only apply with --record")
        yield None
        return
    if args.non_admin:
        # A cassette records each request, not who sent it: replay, scaffold and verify
        # answer every request as one admin, so another project's instance is found
        # where the recording had InstanceNotFound, and the recording fails its own replay.
        raise BadInput(
            "--non-admin cannot be used with --record: a cassette does not record which "
            "project sent each request, so its replay would answer them all as admin"
        )
    refuse_to_replace(args.record, "--record takes a cassette file path")
    _refuse_store_files(args.record, None if args.memory else args.store)
    refuse_unwritable(args.record)
    with recorded_under_lock(args.record, RecordMode(args.record_mode)) as recorded:
        yield recorded


def _refuse_store_files(record: Path, store: Path | None) -> None:
    """BadInput if the cassette, or its lock, is one of the store's files (the store, its
    journal, its lock), under any name: the cassette's saves and the store's compactions
    would replace each other, and ``--store c.json --record c.json`` lost the recording to
    the store's last snapshot."""
    if store is None:
        return
    files = {os.path.realpath(f"{store}{suffix}") for suffix in ("", ".journal", ".lock")}
    if files & {os.path.realpath(record), os.path.realpath(lock_path(record))}:
        raise BadInput(
            f"{record}: --record names a file of the store {store}; give the cassette another path"
        )


def served_profile(args: argparse.Namespace, recorded: Cassette | None) -> Profile:
    """The profile ``serve`` answers as: ``--profile``, else the one the cassette it checks
    requests against was recorded under (:meth:`Cassette.answered_as`, as replay and the
    pytest marker choose), else Grizzly. Checking a Havana cassette as Grizzly would report
    every difference between the releases as the client's."""
    return get_profile(args.profile) if recorded is None else recorded.answered_as(args.profile)


@contextmanager
def serve_recording(
    args: argparse.Namespace,
    sim: Simulator,
    glance: GlanceRecording | None,
    recorded: Cassette | None,
) -> Iterator[AppFactory]:
    """What builds the server's app: :class:`EC2App`, or with ``--record`` the session's
    (recording under the simulator's profile, checking against ``recorded``). Both are
    imported here, with the server: only ``serve`` needs them."""
    from simulator.cassette.recorder import CassetteSession
    from simulator.server import EC2App

    if args.record is None:
        yield EC2App
        return
    mode = RecordMode(args.record_mode)
    images = ImageService("glance", args.image_service) if args.image_service else ImageService()
    session = CassetteSession(
        args.record,
        mode,
        sim.store,
        recorded=recorded,
        redact=args.redact,
        image_service=images,
        glance=glance,
        notify=_warn,
        profile=sim.profile,
    )
    with session:
        what = "recording to" if session.recording else "checking requests against"
        _warn(f"{what} {args.record} (record mode {mode.value})")
        if recorded is not None and recorded.recorded_under.name != sim.profile.name:
            _warn(
                f"note: {args.record} was recorded under {recorded.recorded_under.name}; "
                f"answering as {sim.profile.name}"
            )
        yield session.app
    _warn(
        f"{args.record}: {session.recorded_count} interaction(s) recorded, "
        f"{len(session.failures)} difference(s)"
    )
    if session.failures:
        raise Differences(str(args.record))
