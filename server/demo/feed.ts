import { createHash } from 'node:crypto';
import type { FeedMeta, Item } from '../../utils/protocol/feed';
import { demoPictures, type PictureName } from './pictures';

// The feed of Kabupaten Contoh, a fictional regency. Dates are relative to `now`, so a demo run
// any day shows current posts: one mandatory, one or two high, one expiring within two hours and
// one already expired (the extension hides it).

export interface JsonFeed extends FeedMeta {
  items: Item[];
}

export const PUBLISHER = { id: 'kab-contoh', name: 'Pemerintah Kabupaten Contoh' } as const;

const AGENCIES = {
  diskominfo: { id: 'diskominfo', name: 'Dinas Komunikasi dan Informatika' },
  dinkes: { id: 'dinkes', name: 'Dinas Kesehatan' },
  disdik: { id: 'disdik', name: 'Dinas Pendidikan' },
  pupr: { id: 'dpupr', name: 'Dinas Pekerjaan Umum dan Penataan Ruang' },
  pertanian: { id: 'distan', name: 'Dinas Pertanian' },
  umkm: { id: 'diskopukm', name: 'Dinas Koperasi dan UMKM' },
  bappeda: { id: 'bappeda', name: 'Badan Perencanaan Pembangunan Daerah' },
} as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** RFC 3339 in Western Indonesia Time, as a regency in Java would write it. */
export function wib(ms: number): string {
  return `${new Date(ms + 7 * HOUR).toISOString().slice(0, 19)}+07:00`;
}

export interface DemoPost extends Omit<Item, 'id' | 'url' | 'image' | 'date_published' | '_siar'> {
  slug: string;
  picture: PictureName;
  /** How long before `now` it was published. */
  age: number;
  /** Expiry relative to `now` (negative: already expired). */
  expiresIn?: number;
  _siar: Omit<NonNullable<Item['_siar']>, 'expires_at'>;
}

export const DEMO_POSTS: DemoPost[] = [
  {
    slug: 'apel-asn-medsos',
    picture: 'apel-asn',
    age: 1 * HOUR,
    expiresIn: 7 * DAY,
    title: 'Bupati Ajak Seluruh ASN Sebarkan Capaian Pembangunan Lewat Media Sosial',
    summary:
      'Dalam apel gabungan di halaman kantor bupati, Bupati Contoh meminta setiap OPD aktif membagikan program dan capaian daerah kepada masyarakat.',
    content_text:
      'Bupati Contoh memimpin apel gabungan yang diikuti lebih dari 2.000 aparatur sipil negara dari seluruh organisasi perangkat daerah (OPD) pada Senin pagi.\n\n' +
      'Dalam amanatnya, Bupati menegaskan bahwa setiap ASN adalah juru bicara pembangunan. "Masyarakat berhak tahu apa yang sudah dikerjakan pemerintah. Mari sebarkan informasi yang benar dan resmi," ujarnya.\n\n' +
      'Dinas Komunikasi dan Informatika akan menyiapkan konten resmi setiap pekan yang dapat dibagikan ASN melalui akun media sosial masing-masing.',
    tags: ['pemerintahan'],
    _siar: {
      agency: AGENCIES.diskominfo,
      captions: {
        default: [
          'Bupati mengajak seluruh ASN Kabupaten Contoh menyebarkan program dan capaian pembangunan daerah. Informasi resmi, dari kita untuk masyarakat.',
          'Capaian pembangunan adalah kerja bersama semua OPD. Yuk, ikut sebarkan kabar baik dari Kabupaten Contoh!',
          'ASN adalah juru bicara pembangunan. Mari bagikan informasi resmi tentang program daerah kepada keluarga dan tetangga.',
        ],
        x: 'Bupati ajak seluruh ASN sebarkan capaian pembangunan Kabupaten Contoh lewat media sosial.',
      },
      hashtags: ['KabupatenContoh', 'BanggaMelayani', 'ASNBerAKHLAK'],
      priority: 'mandatory',
      campaign: 'asn-bersuara',
    },
  },
  {
    slug: 'stunting-turun-posyandu',
    picture: 'posyandu',
    age: 3 * HOUR,
    title: 'Angka Stunting Turun Jadi 14,2 Persen Berkat 412 Posyandu Aktif',
    summary:
      'Prevalensi stunting di Kabupaten Contoh turun 4,1 poin dalam dua tahun, didorong pemantauan tumbuh kembang balita di posyandu setiap bulan.',
    content_text:
      'Dinas Kesehatan mencatat prevalensi stunting turun dari 18,3 persen menjadi 14,2 persen. Penurunan ini tidak lepas dari 412 posyandu yang aktif menimbang dan mengukur balita setiap bulan.\n\n' +
      'Kader posyandu juga mendampingi ibu hamil dengan pemberian makanan tambahan dan edukasi gizi seimbang.',
    tags: ['kesehatan'],
    _siar: {
      agency: AGENCIES.dinkes,
      captions: {
        default: [
          'Kabar baik! 👶💚 Angka stunting di Kabupaten Contoh turun menjadi 14,2 persen. Terima kasih para kader posyandu yang setia mendampingi balita setiap bulan.',
          'Stunting turun 4,1 poin dalam dua tahun 💪 Ayo terus bawa balita ke posyandu setiap bulan untuk ditimbang dan diukur.',
        ],
      },
      hashtags: ['KabupatenContoh', 'CegahStunting', 'PosyanduAktif'],
      priority: 'high',
      campaign: 'cegah-stunting',
    },
  },
  {
    slug: 'hari-terakhir-pekan-imunisasi',
    picture: 'imunisasi',
    age: 5 * HOUR,
    expiresIn: 90 * MINUTE,
    title: 'Hari Terakhir Pekan Imunisasi, Puskesmas Tetap Melayani hingga Sore',
    summary: 'Orang tua yang belum membawa anaknya imunisasi masih bisa datang ke puskesmas terdekat hari ini. Layanan gratis.',
    content_text:
      'Pekan Imunisasi Anak berakhir hari ini. Seluruh 26 puskesmas di Kabupaten Contoh tetap membuka layanan imunisasi gratis hingga sore.\n\n' +
      'Cakupan imunisasi dasar lengkap saat ini mencapai 91 persen. Dinas Kesehatan menargetkan 95 persen pada akhir tahun.',
    tags: ['kesehatan'],
    _siar: {
      agency: AGENCIES.dinkes,
      captions: {
        default:
          'Hari ini hari terakhir Pekan Imunisasi Anak. Puskesmas di seluruh Kabupaten Contoh tetap melayani imunisasi gratis hingga sore. Yuk, lengkapi imunisasi si kecil!',
        x: 'Hari terakhir Pekan Imunisasi Anak! Puskesmas se-Kabupaten Contoh melayani imunisasi gratis hingga sore.',
      },
      hashtags: ['KabupatenContoh', 'ImunisasiLengkap'],
      campaign: 'pekan-imunisasi',
    },
  },
  {
    slug: 'beasiswa-contoh-cerdas',
    picture: 'beasiswa',
    age: 8 * HOUR,
    expiresIn: 10 * DAY,
    title: 'Pendaftaran Beasiswa Contoh Cerdas Dibuka untuk 500 Pelajar Berprestasi',
    summary: 'Pemerintah Kabupaten Contoh membuka pendaftaran beasiswa bagi pelajar SMA/SMK dan mahasiswa dari keluarga kurang mampu.',
    content_text:
      'Beasiswa Contoh Cerdas tahun ini menyasar 500 penerima: 300 pelajar SMA/SMK dan 200 mahasiswa. Penerima mendapat bantuan biaya pendidikan dan pendampingan belajar.\n\n' +
      'Pendaftaran dilakukan secara daring dan gratis. Dinas Pendidikan mengingatkan agar masyarakat waspada terhadap pihak yang menjanjikan kelulusan dengan imbalan.',
    tags: ['pendidikan'],
    _siar: {
      agency: AGENCIES.disdik,
      captions: {
        default: [
          'Pendaftaran Beasiswa Contoh Cerdas sudah dibuka! Tersedia kuota 500 penerima untuk pelajar SMA/SMK dan mahasiswa berprestasi. Pendaftaran gratis, tanpa perantara.',
          'Punya anak, saudara, atau tetangga yang berprestasi? Kabarkan: Beasiswa Contoh Cerdas untuk 500 pelajar dan mahasiswa sudah dibuka.',
          'Pemkab Contoh membuka Beasiswa Contoh Cerdas bagi 500 pelajar dan mahasiswa. Daftar secara daring, gratis, dan waspadai penipuan.',
        ],
        x: 'Beasiswa Contoh Cerdas dibuka untuk 500 pelajar & mahasiswa berprestasi. Gratis, tanpa perantara.',
      },
      hashtags: ['KabupatenContoh', 'BeasiswaContohCerdas', 'BanggaMelayani'],
      priority: 'high',
      campaign: 'beasiswa',
    },
  },
  {
    slug: 'jalan-desa-42-km',
    picture: 'jalan-desa',
    age: 1 * DAY,
    title: '42 Kilometer Jalan Desa Selesai Diaspal, Angkutan Hasil Tani Makin Lancar',
    summary: 'Dinas PUPR merampungkan peningkatan 42 km jalan desa di 11 kecamatan, memangkas waktu tempuh ke pasar hingga separuhnya.',
    content_text:
      'Peningkatan jalan desa sepanjang 42 kilometer di 11 kecamatan telah selesai dikerjakan. Jalan yang sebelumnya berbatu kini beraspal dengan lebar 4 meter.\n\n' +
      'Warga Desa Sukamaju menyebut waktu tempuh ke pasar kecamatan kini hanya 20 menit, dari sebelumnya lebih dari 40 menit.',
    tags: ['infrastruktur'],
    _siar: {
      agency: AGENCIES.pupr,
      captions: {
        default:
          'Sebanyak 42 kilometer jalan desa di 11 kecamatan kini sudah beraspal. Angkutan hasil tani ke pasar jadi lebih cepat dan murah.',
        x: '42 km jalan desa di 11 kecamatan kini beraspal. Waktu tempuh ke pasar terpangkas separuh.',
      },
      hashtags: ['KabupatenContoh', 'InfrastrukturMerata'],
    },
  },
  {
    slug: 'panen-raya-sukamaju',
    picture: 'panen-raya',
    age: 1 * DAY + 4 * HOUR,
    title: 'Panen Raya di Kecamatan Sukamaju, Produktivitas Padi Naik Jadi 6,8 Ton per Hektare',
    summary:
      'Bupati bersama kelompok tani memanen padi varietas unggul di lahan 350 hektare. Produktivitas naik berkat irigasi yang diperbaiki.',
    content_text:
      'Panen raya padi di Kecamatan Sukamaju mencatat produktivitas 6,8 ton gabah kering panen per hektare, naik dari 5,9 ton pada musim lalu.\n\n' +
      'Dinas Pertanian menyalurkan benih unggul dan memperbaiki 14 saluran irigasi tersier bersama kelompok tani setempat.',
    tags: ['pertanian'],
    _siar: {
      agency: AGENCIES.pertanian,
      captions: {
        default: [
          'Panen raya di Sukamaju! 🌾 Produktivitas padi naik menjadi 6,8 ton per hektare. Selamat untuk para petani Kabupaten Contoh!',
          'Irigasi diperbaiki, benih unggul disalurkan, hasil panen naik 🌾 Petani Sukamaju kini memanen 6,8 ton padi per hektare.',
        ],
      },
      hashtags: ['KabupatenContoh', 'PetaniSejahtera'],
      campaign: 'ketahanan-pangan',
    },
  },
  {
    slug: 'expo-umkm-contoh',
    picture: 'umkm',
    age: 2 * DAY,
    title: 'Expo UMKM Contoh Hadirkan 120 Pelaku Usaha Lokal di Alun-Alun',
    summary:
      'Selama tiga hari, produk unggulan UMKM mulai dari batik, kopi, hingga kerajinan bambu dipamerkan dan dijual langsung kepada pengunjung.',
    content_text:
      'Expo UMKM Contoh menghadirkan 120 pelaku usaha lokal. Pengunjung dapat membeli batik tulis, kopi robusta, keripik singkong, dan kerajinan bambu langsung dari perajinnya.\n\n' +
      'Dinas Koperasi dan UMKM juga membuka klinik legalitas usaha: pendaftaran NIB dan sertifikasi halal gratis di lokasi.',
    tags: ['ekonomi'],
    _siar: {
      agency: AGENCIES.umkm,
      captions: {
        default:
          'Yuk, dukung produk lokal! Expo UMKM Contoh menghadirkan 120 pelaku usaha di Alun-Alun, lengkap dengan klinik NIB dan sertifikasi halal gratis.',
        whatsapp:
          'Assalamualaikum, Bapak/Ibu. Ada Expo UMKM Contoh di Alun-Alun: 120 pelaku usaha lokal, batik, kopi, dan kerajinan bambu. Mari ajak keluarga berbelanja produk daerah.',
      },
      hashtags: ['KabupatenContoh', 'BanggaBuatanIndonesia', 'UMKMNaikKelas'],
      platforms: ['facebook', 'whatsapp'],
      campaign: 'umkm-naik-kelas',
    },
  },
  {
    slug: 'musrenbang-usulan-warga',
    picture: 'musrenbang',
    age: 3 * DAY,
    title: 'Musrenbang Kecamatan Tampung 1.240 Usulan Warga untuk Pembangunan Tahun Depan',
    summary: 'Usulan terbanyak menyangkut jalan lingkungan, air bersih, dan penerangan jalan. Semua usulan dapat dipantau secara terbuka.',
    content_text:
      'Musyawarah perencanaan pembangunan (Musrenbang) di 18 kecamatan menghimpun 1.240 usulan warga. Usulan terbanyak menyangkut jalan lingkungan, air bersih, dan penerangan jalan umum.\n\n' +
      'Bappeda memastikan setiap usulan tercatat dan statusnya dapat dipantau masyarakat hingga penetapan APBD.',
    tags: ['perencanaan'],
    _siar: {
      agency: AGENCIES.bappeda,
      captions: {
        default:
          'Suara warga menjadi dasar pembangunan. Musrenbang di 18 kecamatan menampung 1.240 usulan untuk pembangunan Kabupaten Contoh tahun depan.',
      },
      hashtags: ['KabupatenContoh', 'MusrenbangContoh'],
    },
  },
  {
    slug: 'donor-darah-hkn',
    picture: 'donor-darah',
    age: 2 * DAY + 6 * HOUR,
    expiresIn: -3 * HOUR,
    title: 'Donor Darah Peringatan Hari Kesehatan Nasional di Aula Pemkab',
    summary: 'ASN dan masyarakat diajak mendonorkan darah. Target 300 kantong darah untuk mencukupi stok rumah sakit daerah.',
    content_text:
      'Dalam rangka Hari Kesehatan Nasional, Dinas Kesehatan bersama unit transfusi darah menggelar donor darah di Aula Pemkab dengan target 300 kantong.',
    tags: ['kesehatan'],
    _siar: {
      agency: AGENCIES.dinkes,
      captions: {
        default: 'Setetes darah Anda menyelamatkan nyawa. Ayo ikut donor darah peringatan Hari Kesehatan Nasional di Aula Pemkab Contoh.',
      },
      hashtags: ['KabupatenContoh', 'HKN', 'DonorDarah'],
    },
  },
];

export interface DemoFeedOptions {
  /** Public base URL without a trailing slash, e.g. `http://localhost:8787`. */
  base: string;
  now?: number;
}

export function buildDemoFeed({ base, now = Date.now() }: DemoFeedOptions): JsonFeed {
  // Whole minutes: the feed reads naturally and stays byte-identical (same ETag) within a run.
  const t0 = Math.floor(now / MINUTE) * MINUTE;
  const items = DEMO_POSTS.map(({ slug, picture, age, expiresIn, _siar, ...rest }): Item => ({
    // Stable across restarts: the same id is the same post forever, so history stays joined up.
    id: `kab-contoh-${slug}`,
    url: `${base}/berita/${slug}`,
    ...rest,
    image: `${base}/media/${picture}.png`,
    date_published: wib(t0 - age),
    _siar: {
      ...(expiresIn === undefined ? {} : { expires_at: wib(t0 + expiresIn) }),
      ..._siar,
      // The signature vouches for the picture's bytes too: an extension holding the agency's key
      // attaches only a picture whose hash the signed feed states.
      image_sha256: createHash('sha256')
        .update(demoPictures().get(`${picture}.png`)!)
        .digest('hex'),
    },
  }));
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Konten Resmi Pemkab Contoh',
    home_page_url: `${base}/`,
    feed_url: `${base}/feed.json`,
    language: 'id',
    _siar: { publisher: PUBLISHER, tally_url: `${base}/`, refresh_minutes: 15 },
    items,
  };
}
