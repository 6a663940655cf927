// Feeds used across unit tests: the protocol's example feed (docs/protocol.md), and builders for variations.

export function protocolExampleFeed() {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Konten Resmi Pemkab Contoh',
    home_page_url: 'https://pemkab.example/',
    feed_url: 'https://pemkab.example/siar/feed.json',
    language: 'id',
    _siar: {
      about: 'https://pemkab.example/siar/protocol',
      publisher: { id: 'pemkab-contoh', name: 'Pemerintah Kabupaten Contoh' },
      tally_url: 'https://pemkab.example/siar/',
      refresh_minutes: 30,
    },
    items: [
      {
        id: '2026-11-21-apel-medsos',
        url: 'https://pemkab.example/berita/apel-medsos',
        title: 'Bupati ajak ASN sebarkan program daerah lewat media sosial',
        summary: 'Pada apel gabungan, Bupati meminta setiap OPD aktif membagikan program dan capaian daerah.',
        content_text: '…',
        image: 'https://pemkab.example/media/apel.jpg',
        date_published: '2026-11-21T08:00:00+07:00',
        tags: ['pemerintahan'],
        _siar: {
          agency: { id: 'diskominfo', name: 'Dinas Kominfo' },
          captions: {
            default: [
              'Bupati mengajak seluruh ASN menyebarkan program dan capaian pembangunan daerah.',
              'Capaian pembangunan adalah kerja bersama semua OPD. Yuk ikut sebarkan!',
            ],
            x: 'Bupati ajak ASN sebarkan capaian pembangunan daerah.',
          },
          hashtags: ['KabupatenContoh'],
          priority: 'mandatory',
          expires_at: '2026-11-28T23:59:59+07:00',
          platforms: ['x', 'facebook'],
          campaign: 'apel-november',
        },
      },
    ] as Record<string, unknown>[],
  };
}

export function item(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, title: `Judul ${id}`, url: `https://pemkab.example/berita/${id}`, ...extra };
}

export function feedWith(items: unknown[], extra: Record<string, unknown> = {}) {
  return { version: 'https://jsonfeed.org/version/1.1', title: 'Feed uji', items, ...extra };
}
