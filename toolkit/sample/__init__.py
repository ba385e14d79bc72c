"""The bundled sample: a made-up brand's posts on several platforms, written in each platform's
real export format (`generator.generate_sample`, `toolkit sample`), and its previous period
(`previous`). Text templates are data files under `resources/`.
"""
