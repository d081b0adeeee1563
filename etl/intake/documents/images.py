"""A photo or scan as an image (.png, .jpg, .tif): its headers checked (pages, pixels) before any
pixel is decoded, then each page made upright by its EXIF tag, on white where transparent, in
grey, and OCR'd as a one-image-per-page PDF.

Not Tesseract on the image directly: it ignores a phone's EXIF orientation and reads a sideways
page as garbage, where OCRmyPDF turns it upright first.
"""
import io
import warnings

import pypdf
from PIL import Image, ImageOps

from etl.domain import vn
from etl.intake.documents import limits, ocr, tools
from etl.intake.documents.model import DocumentRefused


def image_pages(data: bytes, name: str) -> tuple[int, str]:
    """(pages, Pillow format) of an image, refused when it has too many pages or pixels; only
    headers are read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as im:
                count = getattr(im, "n_frames", 1)
                if count > limits.MAX_OCR_PAGES:
                    raise ocr.too_many(name, count)
                for frame in range(count):
                    im.seek(frame)
                    if im.width * im.height > limits.MAX_IMAGE_PIXELS:
                        raise _too_large(name, im.width, im.height)
                return count, im.format
        except Image.DecompressionBombError:
            raise _too_large(name, 0, 0) from None
        except DocumentRefused:
            raise
        except Exception:   # Pillow: UnidentifiedImageError, truncated headers, bad IFDs...
            raise DocumentRefused("corrupt_file", f"Tệp ảnh «{name}» bị hỏng hoặc không đọc được.") from None


def _too_large(name: str, width: int, height: int) -> DocumentRefused:
    size = f" ({vn.format_number(width)} × {vn.format_number(height)} điểm ảnh)" if width else ""
    return DocumentRefused("image_too_large", f"Ảnh «{name}» quá lớn{size}; giới hạn "
                                              f"{limits.MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh. Hãy "
                                              "chụp hoặc scan ở độ phân giải thấp hơn (300 dpi là đủ).")


def ocr_image(data: bytes, name: str, progress=None) -> list[str]:
    """The recognised text of each page of an image (a TIFF may have several)."""
    count, _ = image_pages(data, name)
    tools.find("ocrmypdf", name, ocr.WHY)      # before decoding pixels for nothing
    pdf = _image_pdf(data, name, count)
    found = ocr.ocr_pdf_pages(pdf, name, list(range(count)), progress)
    return [found[p] for p in range(count)]


def _image_pdf(data: bytes, name: str, count: int) -> bytes:
    writer = pypdf.PdfWriter()
    try:
        with Image.open(io.BytesIO(data)) as im:
            dpi = im.info.get("dpi", (0, 0))[0]
            dpi = dpi if 70 <= dpi <= 1200 else 300       # page size only: pixels are what OCR reads
            for frame in range(count):
                im.seek(frame)
                page = ImageOps.exif_transpose(im)
                if "A" in page.getbands() or "transparency" in page.info:
                    page = Image.alpha_composite(Image.new("RGBA", page.size, "white"), page.convert("RGBA"))
                buf = io.BytesIO()
                page.convert("L").save(buf, "PDF", resolution=dpi, quality=90)
                writer.append(pypdf.PdfReader(buf))
    except Exception:   # truncated pixel data, unsupported modes...
        raise DocumentRefused("corrupt_file", f"Tệp ảnh «{name}» bị hỏng hoặc không đọc được.") from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
