"""One half-year partitioning shared by every asset: keys are the periods people use ("2021-H1").

Partitioned asset checks are a preview feature in Dagster 1.13 that we rely on knowingly. Its
PreviewWarning is silenced only around the definitions that use it (`partitioned_check_spec`,
`partitioned_asset_check`), never by a process-wide filter set when a module is imported."""

from __future__ import annotations

import contextlib
import warnings

import dagster as dg

from catalog import periods

half_year_partitions = dg.StaticPartitionsDefinition(periods.known_keys())


@contextlib.contextmanager
def preview_partitioned_checks():
    """Silence Dagster's PreviewWarning for partitioned asset checks, for the block only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.PreviewWarning)
        yield


def partitioned_check_spec(name: str, asset, description: str | None = None, **kwargs) -> dg.AssetCheckSpec:
    """An AssetCheckSpec of a check run per half-year."""
    with preview_partitioned_checks():
        return dg.AssetCheckSpec(
            name, asset=asset, description=description, partitions_def=half_year_partitions, **kwargs
        )


def partitioned_asset_check(**kwargs):
    """`@dg.asset_check(..., partitions_def=half_year_partitions)`, without the PreviewWarning."""

    def decorate(fn):
        with preview_partitioned_checks():
            return dg.asset_check(partitions_def=half_year_partitions, **kwargs)(fn)

    return decorate
