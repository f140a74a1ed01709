"""What goes back to districts and the province: review reports and blank templates.

- model.py: a report (Report, its indicator and task lines) built from the mart views only;
- sentences.py: its Vietnamese sentences and numbers in Vietnamese notation;
- tables.py: its tables as text cells, shared by the Markdown and CSV renderers;
- markdown_report.py, csv_report.py, xlsx_report.py, docx_report.py: one renderer per
  `baocao report --format`;
- template.py: the XLSX a district fills in for a month (`baocao template`)."""
