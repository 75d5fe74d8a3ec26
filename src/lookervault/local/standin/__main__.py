"""`python -m lookervault.local.standin`: serve a seeded stand-in until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from lookervault.local.standin import PROFILES, Faults, SeedSize, StandIn
from lookervault.local.standin.profiles import DEFAULT_RELEASES
from lookervault.local.standin.releases import release_key


def main(argv: list[str] | None = None) -> int:
    standin = standin_for(argv)
    with standin:
        # The stand-in's own demo credentials: printing them here is its whole purpose.
        print(f"LOOKERSDK_BASE_URL={standin.base_url}", flush=True)
        print(f"LOOKERSDK_CLIENT_ID={standin.client_id}", flush=True)
        print(f"LOOKERSDK_CLIENT_SECRET={standin.client_secret}", flush=True)
        print("LOOKERSDK_VERIFY_SSL=false", flush=True)
        print(f"profile: {standin.profile}, release: {standin.release}", flush=True)
        print(f"counts: {standin.counts()}", flush=True)
        print("Serving; press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.", flush=True)
    return 0


def standin_for(argv: list[str] | None) -> StandIn:
    """The stand-in the command line asks for, not started yet."""
    parser = argparse.ArgumentParser(
        prog="python -m lookervault.local.standin",
        description=(
            "Serve a local Looker API 4.0 stand-in on 127.0.0.1. Where Looker's answer is"
            " unconfirmed, --profile picks one: lenient (the answers a client hopes for),"
            " strict (the other plausible answer) or core (Looker, Google Cloud core: the"
            " calls the spec says it may deny answer 403)."
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    parser.add_argument(
        "--dashboards",
        type=int,
        default=SeedSize().dashboards,
        help="seed size; every other type grows in proportion",
    )
    parser.add_argument(
        "--tiles",
        type=int,
        default=SeedSize().tiles,
        help="tiles per dashboard on average",
    )
    parser.add_argument(
        "--all-parts",
        action="store_true",
        help="seed the parts that are off by default too, a few of each: values on users'"
        " accounts, hidden attributes, private and trashed boards, dashboards with tabs,"
        " custom colour collections and themes",
    )
    parser.add_argument(
        "--no-custom-themes",
        action="store_true",
        help="an instance whose licence has no custom themes: theme writes answer 403",
    )
    parser.add_argument(
        "--pending",
        action="store_true",
        help="strict also gives the answers a restore does not cope with yet (favourites"
        " searched without user_id: only the caller's)",
    )
    parser.add_argument(
        "--tabs-follow-release",
        action="store_true",
        help="layouts below release 25.18 leave out a tab's label and order",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated content")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        help="requests per second above which the server answers 429",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="lenient",
        help="which plausible answer to give where Looker's is unconfirmed (default: lenient)",
    )
    parser.add_argument(
        "--release",
        default=None,
        help=(
            "the Looker release to be, as GET /versions reports it (default: "
            + ", ".join(f"{p} {r}" for p, r in DEFAULT_RELEASES.items())
            + "); before 22.8 there is no dashboard LookML import, before 23.4 it answers"
            " a DashboardLookml"
        ),
    )
    parser.add_argument(
        "--dangling",
        action="store_true",
        help="seed references to deleted things too: tiles on gone looks, content of"
        " departed users, schedules on gone dashboards",
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="share of requests answering 503 (deterministic per --seed)",
    )
    parser.add_argument(
        "--errors-after-write",
        type=float,
        default=0.5,
        metavar="SHARE",
        help=(
            "share of the --error-rate 503s that, on a write, come after the write was"
            " applied, as from a flaky Looker behind a proxy: the client cannot tell whether"
            " it happened (default: 0.5; 0 for errors that never write)"
        ),
    )
    parser.add_argument(
        "--max-concurrent",
        type=int,
        default=None,
        help="requests handled at once; the others wait their turn (default: no limit)",
    )
    parser.add_argument(
        "--host-url",
        default=None,
        help="the instance's configured URL, as GET /setting answers (default: its own URL)",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="keep every exchange in memory (off: a long run would grow)",
    )
    args = parser.parse_args(argv)
    if args.dashboards < 1:
        parser.error("--dashboards must be at least 1")
    if args.tiles < 0:
        parser.error("--tiles must not be negative")
    if args.max_concurrent is not None and args.max_concurrent < 1:
        parser.error("--max-concurrent must be at least 1")
    if not 0.0 <= args.errors_after_write <= 1.0:
        parser.error("--errors-after-write must be between 0 and 1")
    if args.release is not None:
        try:
            release_key(args.release)
        except ValueError as exc:
            parser.error(f"--release: {exc}")
    faults = Faults(
        latency_s=args.latency,
        rate_limit_per_s=args.rate_limit,
        error_rate=args.error_rate,
        error_seed=args.seed,
        errors_after_write=args.errors_after_write,
    )
    size = SeedSize.scaled(args.dashboards, tiles=args.tiles)
    return StandIn(
        seed=size.with_all_parts() if args.all_parts else size,
        faults=faults,
        seed_value=args.seed,
        port=args.port,
        record=args.record,
        host_url=args.host_url,
        max_concurrent_requests=args.max_concurrent,
        profile=args.profile,
        release=args.release,
        dangling=args.dangling,
        custom_themes=not args.no_custom_themes,
        pending=args.pending,
        tabs_follow_release=args.tabs_follow_release,
    )


if __name__ == "__main__":
    raise SystemExit(main())
