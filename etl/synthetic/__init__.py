"""Synthetic data (demo, national bench), written through the warehouse like everything else."""
