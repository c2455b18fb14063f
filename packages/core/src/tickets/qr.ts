// QR images of ticket codes, drawn by the qrcode library.
import QRCode from "qrcode";

/**
 * An SVG QR image of `code`. Level M survives a scuffed phone screen or a folded print-out; the
 * four-module quiet zone is what scanners expect around the symbol.
 */
export const qrSvg = (code: string): Promise<string> => QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
