"""The contributors service's KPIs in the reports: wellness exposure, in words (the README "KPI glossary"
says the same). The gateway writes them on its report files' cover sheets."""

DEFINITIONS: dict[str, str] = {
    "exposure_minutes": "Minutes contributors spent on content of low, medium or high severity, from submissions "
    "that ended in the window.",
    "high_severity_minutes": "Of exposure_minutes, those on high-severity content.",
    "exposed_contributors": "Contributors with any exposure in the window.",
}
