/// Real popular names the benign traffic mixes in (weight, region or `*`, provider, host names), and the chatter
/// each kind of device sends without anyone browsing. Only names: the simulator sends nothing anywhere.
enum PopularNames {
    /// `weight region provider host[,host…]`, one site per line.
    static let sites = """
    100 * google www.google.com,google.com,www.gstatic.com,fonts.googleapis.com
    70 * google www.youtube.com,i.ytimg.com,rr3---sn-4g5e6nzs.googlevideo.com,yt3.ggpht.com
    45 * akamai www.facebook.com,static.xx.fbcdn.net,scontent.xx.fbcdn.net,graph.facebook.com
    30 * akamai www.instagram.com,i.instagram.com,scontent-nrt1-1.cdninstagram.com
    35 * azure www.microsoft.com,login.microsoftonline.com,outlook.office365.com,www.office.com,teams.microsoft.com
    28 * akamai www.apple.com,www.icloud.com,gateway.icloud.com,is1-ssl.mzstatic.com
    30 * cloudfront www.amazon.com,m.media-amazon.com,images-na.ssl-images-amazon.com,fls-na.amazon.com
    25 * cloudflare www.wikipedia.org,en.wikipedia.org,upload.wikimedia.org
    22 * akamai www.netflix.com,assets.nflxext.com,occ-0-8407-2219.1.nflxso.net,api-global.netflix.com
    18 * fastly www.reddit.com,www.redditstatic.com,i.redd.it
    20 * cloudflare www.linkedin.com,static.licdn.com,media.licdn.com
    16 * cloudflare discord.com,cdn.discordapp.com,gateway.discord.gg
    14 * fastly github.com,api.github.com,avatars.githubusercontent.com,raw.githubusercontent.com
    12 * akamai www.spotify.com,open.spotify.com,i.scdn.co,apresolve.spotify.com
    20 * akamai web.whatsapp.com,mmg.whatsapp.net,static.whatsapp.net
    12 * cloudfront www.twitch.tv,static.twitchcdn.net,gql.twitch.tv
    15 * fastly twitter.com,abs.twimg.com,pbs.twimg.com,api.twitter.com
    10 * cloudflare www.tiktok.com,v16-webapp.tiktok.com,sf16-website-login.neutral.ttwstatic.com
    12 * google mail.google.com,accounts.google.com,play.googleapis.com,drive.google.com
    10 * azure www.bing.com,th.bing.com,r.bing.com
    8 * cloudflare zoom.us,us04web.zoom.us,st1.zoom.us
    8 * akamai www.adobe.com,use.typekit.net,acrobat.adobe.com
    8 * cloudfront www.booking.com,cf.bstatic.com
    6 * cloudflare www.dropbox.com,cfl.dropboxstatic.com
    6 * fastly www.paypal.com,www.paypalobjects.com
    5 * akamai www.ebay.com,ir.ebaystatic.com,i.ebayimg.com
    9 * google www.googletagmanager.com,www.google-analytics.com,pagead2.googlesyndication.com,securepubads.g.doubleclick.net
    6 * akamai cdn.jsdelivr.net,cdnjs.cloudflare.com,code.jquery.com
    14 APAC akamai www.yahoo.co.jp,s.yimg.jp,news.yahoo.co.jp
    10 APAC cloudfront www.rakuten.co.jp,r.r10s.jp
    10 APAC akamai www.naver.com,ssl.pstatic.net
    9 APAC hosting www.baidu.com,sp0.baidu.com
    8 APAC cloudfront shopee.sg,cf.shopee.sg
    8 APAC akamai line.me,obs.line-scdn.net
    6 APAC cloudflare www.abc.net.au,www.news.com.au
    6 APAC akamai www.flipkart.com,rukminim1.flixcart.com
    7 NA akamai www.cnn.com,cdn.cnn.com
    6 NA fastly www.nytimes.com,static01.nyt.com
    6 NA akamai www.espn.com,a.espncdn.com
    5 NA cloudfront www.walmart.com,i5.walmartimages.com
    5 NA fastly www.chase.com,static.chasecdn.com
    7 EMEA fastly www.bbc.co.uk,static.files.bbci.co.uk
    5 EMEA akamai www.spiegel.de,cdn.prod.www.spiegel.de
    5 EMEA cloudflare www.lemonde.fr
    4 EMEA akamai www.zalando.de
    8 LATAM akamai www.mercadolivre.com.br,http2.mlstatic.com
    5 LATAM akamai www.globo.com,s2.glbimg.com
    4 LATAM cloudfront www.mercadolibre.com.mx
    """

    /// Chatter: `kind weight host` (the operating system and apps asking by themselves).
    static let chatter = """
    phone 20 connectivitycheck.gstatic.com
    phone 10 captive.apple.com
    phone 12 mtalk.google.com
    phone 8 gsp-ssl.ls.apple.com
    phone 10 api.push.apple.com
    phone 6 graph.instagram.com
    phone 5 android.clients.google.com
    phone 4 time.android.com
    pc 14 time.windows.com
    pc 10 ctldl.windowsupdate.com
    pc 10 settings-win.data.microsoft.com
    pc 9 ocsp.digicert.com
    pc 9 clients2.google.com
    pc 8 www.msftconnecttest.com
    pc 6 edge.microsoft.com
    pc 5 update.googleapis.com
    pc 5 v10.events.data.microsoft.com
    tv 12 api.netflix.com
    tv 8 lcprd1.samsungcloudsolution.net
    tv 8 logs.roku.com
    tv 6 time.google.com
    tv 6 www.youtube.com
    iot 12 pool.ntp.org
    iot 10 a2qnx7v8lhvt2j-ats.iot.us-east-1.amazonaws.com
    iot 8 a1.tuyaus.com
    iot 6 device-metrics-us.amazon.com
    iot 4 api.smartthings.com
    nas 12 update.qnap.com
    nas 10 pool.ntp.org
    nas 8 www.myqnapcloud.com
    nas 6 download.qnap.com
    nas 4 global.synologydownload.com
    server 12 deb.debian.org
    server 10 security.ubuntu.com
    server 8 api.github.com
    server 8 s3.amazonaws.com
    server 6 ntp.ubuntu.com
    server 5 registry-1.docker.io
    camera 12 pool.ntp.org
    camera 8 api.hik-connect.com
    camera 6 p2p.hik-connect.com
    """
}
