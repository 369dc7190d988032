"""The one warm-up exercise of notebook 00."""

from .checks import Predict

q1 = Predict(
    "q1", "basics when server-b speaks no IPsec",
    scenario="basics", toggles={"server_ipsec": "off"},
    hint_text="host-a's rule still says PROTECT. What has to happen before host-a may send, and who answers?",
    solution_text="blocked. host-a's SPD demands an SA, so it starts IKE; server-b has no IKE service and never "
                  "answers, so after 3 s host-a gives up and discards the waiting packet.",
    mistakes={"clear": "host-a's own rule still says PROTECT; it never falls back to clear on its own.",
              "protected": "an SA needs both ends to run IKE."},
)
