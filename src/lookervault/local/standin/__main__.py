"""`python -m lookervault.local.standin`: serve a seeded stand-in until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from lookervault.local.standin import Faults, SeedSize, StandIn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lookervault.local.standin",
        description="Serve a local Looker API 4.0 stand-in on 127.0.0.1.",
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
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated content")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        help="requests per second above which the server answers 429",
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="share of requests answering 503 (deterministic per --seed)",
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
    faults = Faults(
        latency_s=args.latency,
        rate_limit_per_s=args.rate_limit,
        error_rate=args.error_rate,
        error_seed=args.seed,
    )
    standin = StandIn(
        seed=SeedSize.scaled(args.dashboards, tiles=args.tiles),
        faults=faults,
        seed_value=args.seed,
        port=args.port,
        record=args.record,
        host_url=args.host_url,
        max_concurrent_requests=args.max_concurrent,
    )
    with standin:
        # The stand-in's own demo credentials: printing them here is its whole purpose.
        print(f"LOOKERSDK_BASE_URL={standin.base_url}", flush=True)
        print(f"LOOKERSDK_CLIENT_ID={standin.client_id}", flush=True)
        print(f"LOOKERSDK_CLIENT_SECRET={standin.client_secret}", flush=True)
        print("LOOKERSDK_VERIFY_SSL=false", flush=True)
        print(f"counts: {standin.counts()}", flush=True)
        print("Serving; press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
