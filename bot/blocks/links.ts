// Links into the web app (PUBLIC_URL) that the bot puts in its messages.
export function links(publicUrl: string) {
  return {
    request: (id: string) => `${publicUrl}/admin/requests?id=${encodeURIComponent(id)}`,
    grant: (id: string) => `${publicUrl}/admin/reviews?id=${encodeURIComponent(id)}`,
    myTokens: `${publicUrl}/tokens`,
    monitoring: `${publicUrl}/admin`,
  };
}
