.PHONY: test bench app screenshots package

app:
	bash tools/setup.sh && .venv/bin/listing-studio

test:
	bash tools/test.sh

bench:
	.venv/bin/python bench/run_all.py

screenshots:
	.venv/bin/python -m tools.screenshots screenshots

package:
	bash packaging/build.sh
