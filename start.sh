#!/usr/bin/env bash
# One command: set everything up, print a real result, then open the workshop app.
#   ./start.sh            set up, run the Philippine BPO comparison, start the app on port 8501
#   ./start.sh --no-app   set up and run the comparison only
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

echo
echo "== Philippine BPO workers displaced by AI, with and without reskilling (5 replications) =="
.venv/bin/sim compare phl_bpo phl_bpo_reskilling

if [[ "${1:-}" == "--no-app" ]]; then
    exit 0
fi
echo
echo "== Starting the app: open http://localhost:${PORT:-8501} (Ctrl+C to stop) =="
# webapp.serve imports the simulator and runs the default page before the server answers
# (runs are kept in .cache/app-runs), then hands over to `streamlit run app.py`.
exec .venv/bin/python -m webapp.serve --server.headless true --server.port "${PORT:-8501}" \
    --browser.gatherUsageStats false
