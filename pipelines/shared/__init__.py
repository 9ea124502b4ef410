"""What several stages share: the patterns of report text and the loader of the rule files.
The bottom of the package: it imports nothing of pipelines, so every stage may import it."""
