"""Alerts to districts and the province desk: invalid submissions, reminders before the
deadline, late notices and escalations (README, "Orchestration and alerts").

- due.py: which alerts are due as of a moment (any day can be replayed);
- recipients.py: to whom (the district's latest e-mail from an accepted file, reference/contacts.yaml,
  the desk);
- escaping.py: data made safe for a mail, a webhook or a terminal (control characters, Slack markup);
- texts.py: in which words, rendered from reference/alert_texts.yaml;
- channels.py: e-mail and webhook, from the Airflow connections baocao_smtp and baocao_webhook;
- send.py: each alert once per channel, every outcome logged in ops.alert_log.

`baocao alerts` and the DAGs ingest_submissions and monitor_submissions call
send.send_alerts."""
