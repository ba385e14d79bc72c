"""Build several reports at the same time (`toolkit run A B`; `make report` for the sample's
two periods), each as `toolkit.report.build.build_report` builds it alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.core.config import Config, ConfigError, load_config
from toolkit.report.build import BuildLink, ReportError, ReportResult, build_report
from toolkit.report.processes import in_worker_threads, signals_stop_the_build

log = logging.getLogger(__name__)


def build_reports(
    config_paths: Sequence[str | Path],
    force: bool = False,
    progress: Callable[[str], None] = log.info,
) -> list[ReportResult | Exception]:
    """Build several reports at the same time, each as `build_report` builds it.

    A config whose `compare_to` is the report of an earlier config in the list waits for
    that build only where it reads its report: before `build.READS_PREVIOUS` and its own
    fingerprint. So `make report` builds the sample's two periods side by side on CPUs one
    build alone leaves idle, with the results of building them one after the other.

    Returns, per config, its `ReportResult` or the `ReportError` / `ConfigError` that stopped
    it (one failing build does not stop the others; a build waiting for a failed one fails).
    A config that cannot be read stops the run before any work; an interrupt stops every
    build and raises `Interrupted`.
    """
    configs = [load_config(path) for path in config_paths]
    links = [BuildLink() for _ in configs]
    stop = threading.Event()

    def one(i: int):
        earlier = [j for j in range(i) if compares_with(configs[i], configs[j])]
        try:
            return build_report(
                config_paths[i],
                force,
                lambda line: progress(f"{configs[i].name}: {line}"),
                previous_build=links[earlier[-1]] if earlier else None,
                this_build=links[i],
                stop=stop,
            )
        except (ReportError, ConfigError) as exc:
            return exc

    with signals_stop_the_build():
        return in_worker_threads([(one, (i,)) for i in range(len(configs))], stop.set)


def compares_with(config: Config, other: Config) -> bool:
    """Whether `config`'s `compare_to` names `other`'s report."""
    return config.compare_to is not None and (
        Path(config.compare_to).resolve() == other.report_dir.resolve()
    )
