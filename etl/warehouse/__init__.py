"""The warehouse: connections, schema and migrations, reference data, shown versions, audit, the only writers."""
