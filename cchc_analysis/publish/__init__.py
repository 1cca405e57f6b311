"""Publishing: the nbconvert exporters of the briefs (HTML, PDF through WeasyPrint), the Word report, the run
index. Everything is produced offline: no script, no external URL, fonts from the machine or the package."""
