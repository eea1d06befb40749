"""Reports: situation reports, the after-action report with KPIs and charts, exports."""
