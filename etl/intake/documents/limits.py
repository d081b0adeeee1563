"""The limits of the document layer (the upload size limit is the project's, DANVAN_MAX_UPLOAD_MB).

A narrative report is a few pages of text: every limit here is far above a real one and far below
what would hurt a 2-core server.
"""
MAX_ZIP_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 100 * 2**20   # python-docx holds every part in memory
MAX_XML_PART = 30 * 2**20              # one XML part (lxml needs several times its size)
MAX_RATIO = 100                        # checked on entries over RATIO_MIN_SIZE only
RATIO_MIN_SIZE = 2**20
MAX_CENTRAL_DIRECTORY = 2**20          # zipfile builds an object per entry before we can count them

MAX_PDF_PAGES = 200
MAX_PDF_OBJECTS = 100_000              # every object is visited once for active content
MIN_PAGE_LETTERS = 20                  # fewer letters in a page's text layer: the page is a scan
MAX_OCR_PAGES = 20
MAX_IMAGE_PIXELS = 50_000_000          # an A4 page at 600 dpi is 35 Mpx, a phone photo 12 to 48
MAX_TABLE_REPEAT = 50                  # an .odt row or cell "repeated" a million times is one row

CONVERT_TIMEOUT_S = 60                 # LibreOffice, .doc to .docx
OCR_TIMEOUT_BASE_S = 60                # OCR: start-up, then per page
OCR_TIMEOUT_PER_PAGE_S = 30
OCR_JOBS = 2
