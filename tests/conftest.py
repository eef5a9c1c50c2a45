import sys
from pathlib import Path

# The test support modules (pods, realcheck) import each other by plain name.
sys.path.insert(0, str(Path(__file__).parent))
