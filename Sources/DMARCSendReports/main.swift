// dmarc_send_reports: being built (issue 4).
print("dmarc_send_reports: not built yet")
