"""Domain facts in code: periods, vi-VN numbers and names, findings, the form's layout, model names."""
