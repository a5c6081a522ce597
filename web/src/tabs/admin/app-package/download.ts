import { apiResponse } from '../../../api/client.ts';

/** Fetches an API file with the bearer token and hands it to the browser under the server's file name. */
export async function downloadFromApi(path: string, fallbackName: string): Promise<string> {
  const res = await apiResponse('GET', path);
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
