"""The Streamlit app's helpers; ``app.py`` at the repository root is the page.

- ``settings``: the controls, their limits, the presets and the share link;
- ``controls``: the sidebar's widgets, made from the scenario schema;
- ``compute``: the scenarios of a request, the work bound, cached runs and summaries;
- ``charts``: Vega-Lite charts (Altair);
- ``story``: the result in words and the key numbers;
- ``headline``: the top of the page (heading, result, key numbers, main charts, run caption);
- ``side_by_side``: two scenarios side by side, paired by seed;
- ``region``: the ASEAN side-by-side section;
- ``exports``: CSV, Excel and the HTML brief;
- ``i18n``: the language (gettext catalogues in ``locale/``), numbers and names by locale;
- ``worker``: start-up of the worker processes.

``sim`` never imports this package.
"""
