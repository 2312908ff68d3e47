"""One half-year partitioning shared by every asset: keys are the periods people use ("2021-H1")."""
import warnings

import dagster as dg

from catalog import periods

# Partitioned asset checks are a preview feature in Dagster 1.13; we rely on them knowingly.
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

half_year_partitions = dg.StaticPartitionsDefinition(periods.known_keys())
