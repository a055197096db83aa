"""The Streamlit entry point: page setup and navigation only.

``kitchen dashboard`` runs ``streamlit run dashboard/app.py`` with ``$KITCHEN_HOME`` set; each
page under ``dashboard/views/`` reads through :mod:`dashboard.data`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# ``streamlit run`` puts this file's folder on sys.path, not the repository: make the
# ``dashboard`` package importable however the app is started.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = Path(__file__).parent / "views"

st.set_page_config(page_title="Kitchen", page_icon=":material/soup_kitchen:", layout="wide")
navigation = st.navigation(
    {
        "Runs": [
            st.Page(
                PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True
            ),
            st.Page(
                PAGES / "runs.py",
                title="Runs compare",
                icon=":material/compare_arrows:",
                url_path="runs",
            ),
            st.Page(
                PAGES / "evaluations.py",
                title="Evaluations",
                icon=":material/fact_check:",
                url_path="evaluations",
            ),
            st.Page(
                PAGES / "lineage.py",
                title="Lineage",
                icon=":material/account_tree:",
                url_path="lineage",
            ),
        ],
        "Production": [
            st.Page(
                PAGES / "feedback.py",
                title="Feedback",
                icon=":material/feedback:",
                url_path="feedback",
            ),
            st.Page(
                PAGES / "drift.py", title="Drift", icon=":material/trending_up:", url_path="drift"
            ),
            st.Page(
                PAGES / "adversary.py",
                title="Adversary",
                icon=":material/security:",
                url_path="adversary",
            ),
            st.Page(
                PAGES / "explainability.py",
                title="Explainability",
                icon=":material/lightbulb:",
                url_path="explainability",
            ),
        ],
    }
)
navigation.run()
