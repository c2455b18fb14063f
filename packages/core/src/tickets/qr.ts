// QR images of ticket codes, drawn by the qrcode library.

/**
 * An SVG QR image of `code`. Level M survives a scuffed phone screen or a folded print-out; the
 * four-module quiet zone is what scanners expect around the symbol. qrcode (with the PNG encoder it
 * carries) is loaded by the first image, not by every function that imports the tickets domain.
 */
export async function qrSvg(code: string): Promise<string> {
  const { default: QRCode } = await import("qrcode");
  return QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
}
