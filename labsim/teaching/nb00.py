"""The warm-up exercise and the opening concept quiz of notebook 00.

The quiz is asked again at the end of notebook 06 (:data:`labsim.teaching.quiz.QUIZ`); here
the answers are only recorded, so the student can see later what changed.
"""

from .checks import Predict, bind
from .quiz import QUIZ as quiz

q1 = Predict(
    "q1", "basics when host-a's policy says bypass",
    scenario="basics", toggles={"policy": "bypass"},
    hint_text="With BYPASS nothing is encrypted. Does the request still get to server-b, and is server-b the one "
              "that gets it?",
    mistakes={"protected": "BYPASS means no IKE and no SA: nothing is encrypted, so the data cannot be 'protected'.",
              "exposed": "exposed means someone other than the intended peer got the data; here nobody else is on "
                         "the network.",
              "blocked": "in this scenario the policy toggle sets both ends, so server-b accepts clear packets too.",
              "impersonated": "impersonation needs a peer that proves a different name in IKE; with BYPASS no IKE "
                              "runs."},
)

bind("00", globals())
