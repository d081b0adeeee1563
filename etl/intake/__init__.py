"""Reports in: file guards, the workbook reader, validation, history checks, the loader, the blank form."""
