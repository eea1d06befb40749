"""The plan workflow in the web app: plan runs, versions, the chair's approval, tasks."""
