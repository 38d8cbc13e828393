"""The ``leafletgen serve`` command: only click is imported until it runs, so the other
commands start as fast as without it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

# WeasyPrint processes grow a few MB per hundred renders (benchmarks/README.md)
RECYCLE_AFTER = 1000


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Any other than loopback needs --token-file.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Render processes (warm: fonts, templates and monographs loaded once).")
@click.option("--queue", type=click.IntRange(min=0), default=8, show_default=True,
              help="Requests that may wait for a worker; more get 503 with Retry-After.")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds a render may take before the request gets 504.")
@click.option("--recycle-after", type=click.IntRange(min=0), default=RECYCLE_AFTER,
              show_default=True, metavar="N",
              help="Replace the workers with fresh ones after N renders (0: never).")
@click.option("--token-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="File whose first line is the bearer token every request "
              "must carry.")
@click.option("--insecure-no-auth", is_flag=True,
              help="Serve a non-loopback interface without a token (only behind a proxy "
                   "that authenticates).")
@click.option("--public-url", default=None, metavar="URL",
              help="Base URL patients can reach; printed leaflets then carry a QR code to "
                   "their web page.")
@click.option("--config", "config_file", default=None, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="TOML file: the pharmacy's details for the forms, the dispensing record, "
                   "drafts, the preview cache (README.md, Serve).")
@click.option("--drafts", is_flag=True,
              help="List draft leaflets in the web app too, as proofs marked DRAFT.")
@click.option("--leaflets", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=Path("leaflets"), show_default=True)
@click.option("--styles", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=Path("styles"), show_default=True)
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out"), show_default=True,
              help="Built PDFs to serve when current (leafletgen build).")
def serve_command(host: str, port: int, workers: int, queue: int, timeout: float,
                  recycle_after: int, token_file: Path | None, insecure_no_auth: bool,
                  public_url: str | None, config_file: Path | None, drafts: bool,
                  leaflets: Path, styles: Path, out: Path) -> None:
    """Serve the counter web app and the HTTP API.

    \b
    Example:
      leafletgen serve                      # http://127.0.0.1:8000/
      leafletgen serve --host 0.0.0.0 --token-file /etc/leafletgen/token
    The API is described at /docs and /openapi.yaml.
    """
    from leafletgen.serve.app import ServeConfig, is_loopback, loopback_hosts, read_token
    from leafletgen.serve.dispensing import DispensingRecord
    from leafletgen.serve.server import run
    from leafletgen.serve.settings import Settings, SettingsError, load_settings

    settings = Settings()
    if config_file is not None:
        try:
            settings = load_settings(config_file)
        except SettingsError as exc:
            raise click.UsageError(str(exc)) from None
    if settings.variant is not None:
        from leafletgen.serve.core import plan

        names = [v.name for v in plan((leaflets,), styles).variants if v.audience == "patient"]
        if settings.variant not in names:
            raise click.UsageError(f"{config_file}: [counter] variant: no patient variant "
                                   f"has this name; use one of: {', '.join(names)}")
    if settings.record is not None:
        try:
            DispensingRecord(settings.record, settings.counter).check()
        except OSError as exc:
            raise click.UsageError(f"{config_file}: [dispensing] record: cannot append to "
                                   f"{settings.record} ({exc.strerror}); give a file this "
                                   "user can write") from None

    token = None
    if token_file is not None:
        try:
            token = read_token(token_file)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    elif not is_loopback(host) and not insecure_no_auth:
        raise click.UsageError(f"--host {host} is reachable from other machines: give "
                               "--token-file (or --insecure-no-auth behind an authenticating "
                               "proxy)")
    if public_url is not None and not public_url.startswith(("https://", "http://")):
        raise click.UsageError("--public-url must start with https:// (or http://)")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    for name in ("leafletgen.serve", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    allowed_hosts = None
    if is_loopback(host):
        # behind a reverse proxy, the public name arrives as the Host header too
        public_host = urlsplit(public_url).hostname if public_url else None
        allowed_hosts = (*loopback_hosts(host), *([public_host] if public_host else []))
    config = ServeConfig(leaflets=leaflets, styles=styles, out=out, workers=workers,
                         queue=queue, timeout=timeout, recycle_after=recycle_after,
                         token=token, settings=settings,
                         drafts=drafts or settings.drafts,
                         public_url=public_url.rstrip("/") if public_url else None,
                         allowed_hosts=allowed_hosts)
    click.echo(f"leafletgen serve: {workers} render worker{'s' if workers > 1 else ''} "
               "warming up", err=True)
    run(config, host, port, ready=lambda url: click.echo(
        f"leafletgen serve: ready at {url}", err=True))
