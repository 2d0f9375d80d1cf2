#!/usr/bin/env python3
"""Ask the web app's /healthz (the docker-compose healthcheck, the run scripts' readiness probe). Stdlib only.

    python scripts/healthcheck.py [--url http://127.0.0.1:8000/healthz] [--quiet]

Exit 0: answered 200 (database and broker ok). 1: answered with another status. 2: no answer.
In production (DJANGO_DEBUG=false) the request carries the first DJANGO_ALLOWED_HOSTS name as its Host and
``X-Forwarded-Proto: https``, as the TLS proxy in front of gunicorn would, so neither the host check nor the
HTTPS redirect gets in the way.
"""

import argparse
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz")
    parser.add_argument("--quiet", action="store_true", help="print nothing when there is no answer yet")
    parser.add_argument("--timeout", type=float, default=5)
    args = parser.parse_args()

    headers = {"X-Forwarded-Proto": "https"}
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    hosts = [h for h in hosts if h and h != "*"]
    if hosts:
        headers["Host"] = hosts[0]
    if not args.url.startswith(("http://", "https://")):
        parser.error("--url must be an http(s) URL")
    request = urllib.request.Request(args.url, headers=headers)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:  # noqa: S310
            body, status = response.read().decode(), response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode(errors="replace"), exc.code
    except OSError as exc:
        if not args.quiet:
            print(f"healthz: no answer from {args.url}: {exc}", file=sys.stderr)
        return 2
    print(f"healthz {status}: {body}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
